using System;
using System.Collections.Generic;
using System.Text;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// A deliberately small reading of SQL text, enough to tell whether a SELECT is bounded. It never parses SQL: it splits
/// the text into words, numbers, parameters and symbols (comments dropped, string literals kept as one token) and looks
/// for the few shapes that bound a result. Anything it does not recognise as an unbounded SELECT counts as bounded, so
/// the rules that use it stay silent when in doubt.
/// </summary>
internal static class SqlBounds
{
    private static readonly HashSet<string> Aggregates = new(StringComparer.OrdinalIgnoreCase)
    {
        "COUNT", "COUNT_BIG", "SUM", "MIN", "MAX", "AVG",
    };

    private static readonly HashSet<string> WhereClauseEnd = new(StringComparer.OrdinalIgnoreCase)
    {
        "GROUP", "ORDER", "HAVING", "UNION", "EXCEPT", "INTERSECT", "LIMIT", "OFFSET", "WINDOW", "FOR", "RETURNING",
    };

    /// <summary>
    /// True when <paramref name="sql"/> is a SELECT (or WITH ... SELECT) that bounds nothing: no <c>TOP</c>, <c>LIMIT</c>,
    /// <c>FETCH FIRST/NEXT</c>, no select list made only of aggregates (without GROUP BY), no WHERE clause with an
    /// equality of a column to a value (<c>WHERE Id = @id</c>) or a column IN a parameter or list (<c>WHERE Id IN @ids</c>),
    /// and not a read of the database's catalog (<see cref="IsCatalog"/>).
    /// </summary>
    /// <param name="sql">The command text.</param>
    /// <param name="table">The first table after FROM (schema-qualified as written: <c>[sales].[Orders]</c>), or null when there is none to name.</param>
    public static bool IsUnboundedSelect(string sql, out string? table)
    {
        table = null;
        var tokens = Tokenize(sql);
        if (tokens.Count == 0 || !(IsWord(tokens[0], "SELECT") || IsWord(tokens[0], "WITH")))
        {
            return false;
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (IsWord(token, "TOP") || IsWord(token, "LIMIT") || IsWord(token, "ROWNUM")
                || (IsWord(token, "FETCH") && i + 1 < tokens.Count && (IsWord(tokens[i + 1], "FIRST") || IsWord(tokens[i + 1], "NEXT"))))
            {
                return false;
            }

            if (IsWord(token, "WHERE") && WhereHasKeyLookup(tokens, i + 1))
            {
                return false;
            }

            if (table is null && IsWord(token, "FROM") && i + 1 < tokens.Count && IsIdentifier(tokens[i + 1]))
            {
                table = tokens[i + 1];
            }
        }

        if (table is not null && IsCatalog(table))
        {
            // Schema metadata: one row per table or column of the database, not business data.
            return false;
        }

        if (table is not null && SelectsKeyAndLabel(tokens, table))
        {
            // SELECT Code, Name FROM Countries: a lookup list (see ReferenceData).
            return false;
        }

        return !(IsWord(tokens[0], "SELECT") && SelectsOnlyAggregates(tokens));
    }

    /// <summary>
    /// The database's own catalog: <c>INFORMATION_SCHEMA.*</c>, SQL Server's <c>sys.*</c>, PostgreSQL's
    /// <c>pg_catalog.*</c> and <c>pg_*</c> views, SQLite's <c>sqlite_master</c>/<c>sqlite_schema</c>.
    /// </summary>
    public static bool IsCatalog(string table)
    {
        var name = Unquote(table);
        return name.StartsWith("INFORMATION_SCHEMA.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("sys.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("pg_", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "sqlite_master", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "sqlite_schema", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A column of the ANSI catalog views (<c>INFORMATION_SCHEMA</c>): <c>TABLE_NAME</c>, <c>TABLE_SCHEMA</c>,
    /// <c>COLUMN_NAME</c>, <c>DATA_TYPE</c>... A reader that reads one is iterating schema metadata.
    /// </summary>
    public static bool IsCatalogColumn(string name)
        => name.StartsWith("TABLE_", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("COLUMN_", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("ROUTINE_", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("CONSTRAINT_", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "DATA_TYPE", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "ORDINAL_POSITION", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "IS_NULLABLE", StringComparison.OrdinalIgnoreCase);

    /// <summary>A <c>column = value</c> (either way round) or <c>column IN (values)</c>/<c>IN @list</c> in the WHERE clause starting at <paramref name="start"/>.</summary>
    private static bool WhereHasKeyLookup(List<string> tokens, int start)
    {
        var depth = 0;
        for (var i = start; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == "(")
            {
                depth++;
            }
            else if (token == ")")
            {
                if (--depth < 0)
                {
                    return false;
                }
            }
            else if (depth == 0 && (token == ";" || WhereClauseEnd.Contains(token)))
            {
                return false;
            }
            else if (token == "=" && i > start && i + 1 < tokens.Count)
            {
                if (IsLookup(tokens[i - 1], tokens[i + 1]) || IsLookup(tokens[i + 1], tokens[i - 1]))
                {
                    return true;
                }
            }
            else if (IsWord(token, "IN") && i > start && IsIdentifier(tokens[i - 1]) && i + 1 < tokens.Count)
            {
                if (IsParameter(tokens[i + 1]))
                {
                    return true;
                }

                if (tokens[i + 1] == "(" && ValueList(tokens, i + 2))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// <c>column = @parameter</c> (a lookup), or <c>column = literal</c> when the column is named like a key (<c>Id</c>,
    /// <c>OrderId</c>, <c>order_id</c>, <c>OrderKey</c>); <c>Status = 'open'</c> is a filter, not a lookup.
    /// </summary>
    private static bool IsLookup(string column, string value)
    {
        if (!IsIdentifier(column) || !IsValue(value))
        {
            return false;
        }

        if (IsParameter(value))
        {
            return true;
        }

        var name = Unquote(column);
        name = name.Substring(name.LastIndexOf('.') + 1);
        return string.Equals(name, "id", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("_id", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("_key", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Id", StringComparison.Ordinal)
            || name.EndsWith("ID", StringComparison.Ordinal)
            || name.EndsWith("Key", StringComparison.Ordinal);
    }

    private static bool ValueList(List<string> tokens, int start)
    {
        for (var i = start; i < tokens.Count; i += 2)
        {
            if (!IsValue(tokens[i]) || i + 1 >= tokens.Count)
            {
                return false;
            }

            if (tokens[i + 1] == ")")
            {
                return true;
            }

            if (tokens[i + 1] != ",")
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>A select list of exactly two plain columns, a key and a label (<c>SELECT c.Code, c.Name AS CountryName FROM ...</c>).</summary>
    private static bool SelectsKeyAndLabel(List<string> tokens, string table)
    {
        if (!IsWord(tokens[0], "SELECT"))
        {
            return false;
        }

        var columns = new List<string>();
        var start = 1;
        for (var i = 1; i < tokens.Count; i++)
        {
            var end = IsWord(tokens[i], "FROM");
            if (!end && tokens[i] != ",")
            {
                continue;
            }

            // One item: a column, optionally followed by [AS] alias.
            var length = i - start;
            if (length < 1 || length > 3 || !IsIdentifier(tokens[start]) || IsWord(tokens[start], "DISTINCT"))
            {
                return false;
            }

            if (length == 3 ? !IsWord(tokens[start + 1], "AS") || !IsIdentifier(tokens[start + 2]) : length == 2 && !IsIdentifier(tokens[start + 1]))
            {
                return false;
            }

            var name = Unquote(tokens[start]);
            columns.Add(name.Substring(name.LastIndexOf('.') + 1));
            start = i + 1;
            if (end)
            {
                break;
            }
        }

        var owner = Unquote(table);
        owner = owner.Substring(owner.LastIndexOf('.') + 1);
        return columns.Count == 2 && ReferenceData.IsKeyAndLabel(columns[0], columns[1], owner);
    }

    /// <summary><c>SELECT COUNT(*) FROM ...</c>, <c>SELECT MAX(Id), MIN(Id) FROM ...</c> with no GROUP BY: one row.</summary>
    private static bool SelectsOnlyAggregates(List<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (IsWord(tokens[i], "GROUP"))
            {
                return false;
            }
        }

        var index = 1;
        if (index < tokens.Count && (IsWord(tokens[index], "DISTINCT") || IsWord(tokens[index], "ALL")))
        {
            index++;
        }

        while (index < tokens.Count)
        {
            // Each item: AGGREGATE ( ... ) [AS] [alias]
            if (!Aggregates.Contains(tokens[index]) || index + 1 >= tokens.Count || tokens[index + 1] != "(")
            {
                return false;
            }

            var depth = 0;
            index++;
            do
            {
                depth += tokens[index] == "(" ? 1 : tokens[index] == ")" ? -1 : 0;
                index++;
            }
            while (depth > 0 && index < tokens.Count);

            if (index < tokens.Count && IsWord(tokens[index], "AS"))
            {
                index++;
            }

            if (index < tokens.Count && IsIdentifier(tokens[index]) && !IsWord(tokens[index], "FROM"))
            {
                index++;
            }

            if (index >= tokens.Count || IsWord(tokens[index], "FROM") || tokens[index] == ";")
            {
                return true;
            }

            if (tokens[index] != ",")
            {
                return false;
            }

            index++;
        }

        return false;
    }

    private static bool IsWord(string token, string word) => string.Equals(token, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>A column or table name, plain or quoted, possibly qualified (<c>o.Id</c>, <c>[dbo].[Orders]</c>).</summary>
    private static bool IsIdentifier(string token)
        => token.Length > 0 && (char.IsLetter(token[0]) || token[0] is '_' or '"' or '[' or '`');

    /// <summary>A parameter (<c>@id</c>, <c>:id</c>, <c>$1</c>, <c>?</c>) or a literal number or string.</summary>
    private static bool IsValue(string token)
        => token.Length > 0 && (token[0] is '@' or ':' or '$' or '?' or '\'' || char.IsDigit(token[0]));

    private static bool IsParameter(string token) => token.Length > 0 && token[0] is '@' or ':' or '$' or '?';

    private static List<string> Tokenize(string sql)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && Next(sql, i) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && Next(sql, i) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c == '\'')
            {
                var end = sql.IndexOf('\'', i + 1);
                end = end < 0 ? sql.Length : end + 1;
                tokens.Add(sql.Substring(i, end - i));
                i = end;
            }
            else if (c is '"' or '[' or '`')
            {
                // A quoted name, possibly the first part of a qualified one: [schema].[table], "schema"."table".
                var start = i;
                i = QuotedEnd(sql, i);
                while (i + 1 < sql.Length && sql[i] == '.' && (char.IsLetter(sql[i + 1]) || sql[i + 1] is '_' or '"' or '[' or '`'))
                {
                    i++;
                    if (sql[i] is '"' or '[' or '`')
                    {
                        i = QuotedEnd(sql, i);
                    }
                    else
                    {
                        while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' or '#'))
                        {
                            i++;
                        }
                    }
                }

                tokens.Add(sql.Substring(start, i - start));
            }
            else if (c == ':' && Next(sql, i) == ':')
            {
                tokens.Add("::");
                i += 2;
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '@' or ':' or '$' or '#')
            {
                var start = i;
                i++;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' or '#' or '.'
                    || (sql[i] is '"' or '[' or '`' && sql[i - 1] == '.')))
                {
                    if (sql[i] is '"' or '[' or '`')
                    {
                        var close = sql[i] == '[' ? ']' : sql[i];
                        var end = sql.IndexOf(close, i + 1);
                        i = end < 0 ? sql.Length : end + 1;
                        continue;
                    }

                    i++;
                }

                tokens.Add(sql.Substring(start, i - start));
            }
            else if (c is '<' or '>' or '!' && Next(sql, i) is '=' or '>')
            {
                tokens.Add(sql.Substring(i, 2));
                i += 2;
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }

        return tokens;
    }

    private static char Next(string text, int index) => index + 1 < text.Length ? text[index + 1] : '\0';

    /// <summary>The index just past the quoted name that starts at <paramref name="start"/> (its closing quote included).</summary>
    private static int QuotedEnd(string sql, int start)
    {
        var close = sql[start] == '[' ? ']' : sql[start];
        var end = sql.IndexOf(close, start + 1);
        return end < 0 ? sql.Length : end + 1;
    }

    /// <summary>The table name as written, without quotes, for a message.</summary>
    public static string Unquote(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is not ('"' or '[' or ']' or '`'))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
