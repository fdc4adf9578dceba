using System;

namespace Sluice.PostgreSql;

/// <summary>Validation and quoting of the identifiers Sluice puts into SQL: names only, never values.</summary>
internal static class PostgresIdentifier
{
    public static string Validate(string? name, int maxLength, string parameterName)
    {
        if (name is null)
        {
            throw new ArgumentNullException(parameterName);
        }

        if (!IsPlain(name, maxLength))
        {
            throw new ArgumentException(
                $"{parameterName} '{name}' is not a plain PostgreSQL identifier: a letter or underscore, then letters, digits or underscores, at most {maxLength} characters.",
                parameterName);
        }

        return name;
    }

    public static bool IsPlain(string name, int maxLength)
    {
        if (name.Length == 0 || name.Length > maxLength || !(IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(IsAsciiLetter(c) || c is >= '0' and <= '9' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Quotes a validated identifier; it holds no quote, so no escaping is needed.</summary>
    public static string Quote(string name) => "\"" + name + "\"";

    public static string Qualify(string schema, string name) => Quote(schema) + "." + Quote(name);

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
}
