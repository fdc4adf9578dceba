using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Contract;

namespace Sluice.Analyzers.Shapes;

/// <summary>The kinds of non-idempotent writes SLU401 knows; the fix reads the kind from the diagnostic.</summary>
internal static class WriteKinds
{
    public const string Property = "WriteKind";

    /// <summary>EF Core Add/AddRange followed by SaveChanges.</summary>
    public const string EntityAdd = nameof(EntityAdd);

    /// <summary>A SQL INSERT with no conflict handling.</summary>
    public const string SqlInsert = nameof(SqlInsert);

    /// <summary>A SQL UPDATE that sets a column relative to itself.</summary>
    public const string SqlRelativeUpdate = nameof(SqlRelativeUpdate);

    /// <summary>HttpClient.PostAsync/PatchAsync (and the JSON forms): no per-request header can be set.</summary>
    public const string HttpPostOrPatch = nameof(HttpPostOrPatch);

    /// <summary>HttpClient.SendAsync of a POST/PATCH request with no Idempotency-Key header.</summary>
    public const string HttpSend = nameof(HttpSend);

    /// <summary>A file append.</summary>
    public const string Append = nameof(Append);

    /// <summary>A bulk load that appends rows: SqlBulkCopy.WriteToServer, Npgsql's COPY ... FROM STDIN imports.</summary>
    public const string BulkCopy = nameof(BulkCopy);

    public static string Remedy(string kind) => kind switch
    {
        SqlRelativeUpdate => "set an absolute value, or guard it with a version check",
        HttpPostOrPatch or HttpSend => "send an Idempotency-Key header",
        Append => "write the whole file, or track what was already appended",
        BulkCopy => "load into a staging table and upsert from it, or delete what a failed attempt loaded first",
        _ => "upsert or idempotency key",
    };
}

/// <summary>A write that is not idempotent: the operation, how the message names it, and its kind.</summary>
internal sealed class NonIdempotentWrite
{
    public NonIdempotentWrite(IOperation operation, string what, string kind)
    {
        Operation = operation;
        What = what;
        Kind = kind;
    }

    public IOperation Operation { get; }

    public string What { get; }

    public string Kind { get; }
}

/// <summary>
/// Recognizes the writes SLU401 reports — EF Core adds, SQL text (Dapper, ADO.NET CommandText, EF raw SQL) that inserts
/// without conflict handling or increments a column, bulk loads (SqlBulkCopy, Npgsql COPY imports), HTTP POST/PATCH
/// without an Idempotency-Key, file appends — with the
/// library types resolved once per compilation. Whether the write runs in a retry is <see cref="RetryScopes"/>' question.
/// </summary>
internal sealed class NonIdempotentWrites
{
    private readonly INamedTypeSymbol? _dbContext;
    private readonly INamedTypeSymbol? _dbSet;
    private readonly INamedTypeSymbol? _relationalFacadeExtensions;
    private readonly INamedTypeSymbol? _dapper;
    private readonly INamedTypeSymbol? _dbCommand;
    private readonly INamedTypeSymbol? _iDbCommand;
    private readonly INamedTypeSymbol? _httpClient;
    private readonly INamedTypeSymbol? _httpMessageInvoker;
    private readonly INamedTypeSymbol? _httpRequestMessage;
    private readonly INamedTypeSymbol? _httpMethod;
    private readonly INamedTypeSymbol? _httpJsonExtensions;
    private readonly INamedTypeSymbol? _file;
    private readonly INamedTypeSymbol? _fileInfo;
    private readonly INamedTypeSymbol? _streamWriter;
    private readonly INamedTypeSymbol? _fileStream;
    private readonly INamedTypeSymbol? _sqlBulkCopy;
    private readonly INamedTypeSymbol? _legacySqlBulkCopy;
    private readonly INamedTypeSymbol? _npgsqlConnection;
    private readonly INamedTypeSymbol? _transactionScope;

    public NonIdempotentWrites(KnownTypes types)
    {
        _dbContext = types.DbContext;
        _dbSet = types.DbSet;
        _relationalFacadeExtensions = types.RelationalDatabaseFacadeExtensions;
        _dapper = types.DapperSqlMapper;
        _dbCommand = types.DbCommand;
        _iDbCommand = types.IDbCommand;
        _httpClient = types.HttpClient;
        _httpMessageInvoker = types.HttpMessageInvoker;
        _httpRequestMessage = types.HttpRequestMessage;
        _httpMethod = types.HttpMethod;
        _httpJsonExtensions = types.HttpClientJsonExtensions;
        _file = types.File;
        _fileInfo = types.FileInfo;
        _streamWriter = types.StreamWriter;
        _fileStream = types.FileStream;
        _sqlBulkCopy = types.SqlBulkCopy;
        _legacySqlBulkCopy = types.LegacySqlBulkCopy;
        _npgsqlConnection = types.NpgsqlConnection;
        _transactionScope = types.TransactionScope;
    }

    /// <summary>
    /// The write <paramref name="operation"/> performs when it is one of the known non-idempotent writes, judged on the
    /// operation alone; <see cref="IsConfirmedIn"/> then checks what depends on the retried code around it.
    /// </summary>
    public NonIdempotentWrite? Classify(IOperation operation)
        => operation switch
        {
            IInvocationOperation call => ClassifyCall(call),
            IObjectCreationOperation creation => ClassifyCreation(creation),
            ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "CommandText" } target } assignment
                when IsCommand(target.Property.ContainingType)
                => Sql(assignment, assignment.Value),
            _ => null,
        };

    /// <summary>
    /// True when the write is non-idempotent as used in <paramref name="scope"/>: an EF add is saved later in the scope;
    /// a sent request has no Idempotency-Key header set on it.
    /// </summary>
    public bool IsConfirmedIn(NonIdempotentWrite write, RetryScope scope)
        => !IsGuardedByExistenceCheck(write.Operation, scope) && !IsRolledBackWithTheAttempt(write, scope) && write.Kind switch
        {
            WriteKinds.EntityAdd => scope.Body.Descendants().Any(o =>
                o is IInvocationOperation { TargetMethod.Name: "SaveChanges" or "SaveChangesAsync" } save
                && TypeSymbols.IsOrDerives(save.TargetMethod.ContainingType, _dbContext)
                && save.Syntax.SpanStart > write.Operation.Syntax.SpanStart),
            WriteKinds.HttpSend => !HasIdempotencyKeyHeader(((IInvocationOperation)write.Operation).Arguments.First(a => a.Parameter?.Ordinal == 0).Value, write.Operation),
            _ => true,
        };

    /// <summary>
    /// The write sits, inside the retried code, under an <c>if</c> that checks for what is already there
    /// (<c>if (!db.Brands.Any())</c>, <c>if (await set.CountAsync() == 0)</c>, <c>if (repo.Find(id) is null)</c>): the
    /// retry that finds it written does not write it again.
    /// </summary>
    private static bool IsGuardedByExistenceCheck(IOperation write, RetryScope scope)
    {
        for (var current = write.Parent; current is not null && current != scope.Body; current = current.Parent)
        {
            if (current is IConditionalOperation { Condition: var condition } conditional
                && conditional.WhenTrue.Syntax.Span.Contains(write.Syntax.Span)
                && condition.DescendantsAndSelf().Any(o => o is IInvocationOperation { TargetMethod.Name: "Any" or "AnyAsync" or "Count" or "CountAsync" or "LongCount" or "LongCountAsync" or "Exists" or "ExistsAsync" or "Find" or "FindAsync" or "FirstOrDefault" or "FirstOrDefaultAsync" or "SingleOrDefault" or "SingleOrDefaultAsync" or "Contains" or "ContainsAsync" }))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A database write inside a transaction scope that the retried code opens and completes after the write
    /// (<c>using (var tx = new TransactionScope()) { ...write...; tx.Complete(); }</c>, or a <c>using var</c>
    /// declaration): an attempt that fails before <c>Complete</c> rolls the write back, so the retry does not repeat
    /// it. A scope opened outside the retried code, one never completed, or one created with
    /// <c>TransactionScopeOption.Suppress</c> (no transaction) does not count; nor do HTTP calls and file appends,
    /// which no transaction rolls back.
    /// </summary>
    private bool IsRolledBackWithTheAttempt(NonIdempotentWrite write, RetryScope scope)
    {
        if (_transactionScope is null || write.Kind is not (WriteKinds.EntityAdd or WriteKinds.SqlInsert or WriteKinds.SqlRelativeUpdate or WriteKinds.BulkCopy))
        {
            return false;
        }

        var span = write.Operation.Syntax.Span;
        for (IOperation? child = write.Operation, current = write.Operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                // using (var tx = new TransactionScope(...)) { ... }
                case IUsingOperation { Resources: IVariableDeclarationGroupOperation group } @using
                    when @using.Body.Syntax.Span.Contains(span) && CompletesAfter(group, @using.Body, span):
                    return true;

                // using var tx = new TransactionScope(...); ...
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (statement is IUsingDeclarationOperation { DeclarationGroup: var declared } && CompletesAfter(declared, block, span))
                        {
                            return true;
                        }
                    }

                    break;
            }

            if (current == scope.Body)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>
    /// The declarations create a transaction scope in a local, and <paramref name="region"/> calls that local's
    /// <c>Complete()</c> after <paramref name="write"/>.
    /// </summary>
    private bool CompletesAfter(IVariableDeclarationGroupOperation group, IOperation region, Microsoft.CodeAnalysis.Text.TextSpan write)
    {
        foreach (var declaration in group.Declarations)
        {
            foreach (var declarator in declaration.Declarators)
            {
                var initializer = declarator.Initializer?.Value ?? declaration.Initializer?.Value;
                if (initializer?.WalkDownConversion() is not IObjectCreationOperation creation
                    || !IsTransactionScope(creation.Type)
                    || creation.Arguments.Any(a => a.Value.WalkDownConversion() is IFieldReferenceOperation { Field.Name: "Suppress" }))
                {
                    continue;
                }

                var local = declarator.Symbol;
                if (region.Descendants().Any(o =>
                    o is IInvocationOperation { TargetMethod: { Name: "Complete", Parameters.Length: 0 }, Instance: ILocalReferenceOperation owner } complete
                    && SymbolEqualityComparer.Default.Equals(owner.Local, local)
                    && complete.Syntax.SpanStart > write.End))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// <c>TransactionScope</c>, or a project's wrapper around one: a type with a parameterless <c>Complete()</c> that
    /// holds a <c>TransactionScope</c> in a field (seen in source), or that is named <c>...TransactionScope</c> (a wrapper
    /// from a referenced assembly, whose private fields are not visible).
    /// </summary>
    private bool IsTransactionScope(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type, _transactionScope))
        {
            return true;
        }

        if (!type.GetMembers("Complete").Any(m => m is IMethodSymbol { Parameters.Length: 0, IsStatic: false }))
        {
            return false;
        }

        return type.Name.EndsWith("TransactionScope", StringComparison.Ordinal)
            || type.GetMembers().Any(m => m is IFieldSymbol { IsStatic: false } field && SymbolEqualityComparer.Default.Equals(field.Type, _transactionScope));
    }

    private NonIdempotentWrite? ClassifyCall(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        var declaring = (method.ReducedFrom ?? method).ContainingType?.OriginalDefinition;
        switch (method.Name)
        {
            case "Add" or "AddRange" or "AddAsync" or "AddRangeAsync"
                when TypeSymbols.IsOrDerives(declaring, _dbContext) || TypeSymbols.IsOrDerives(declaring, _dbSet):
                return new NonIdempotentWrite(call, $"{Name(call.Instance)}.{method.Name}", WriteKinds.EntityAdd);

            case "Execute" or "ExecuteAsync" or "ExecuteScalar" or "ExecuteScalarAsync"
                when SymbolEqualityComparer.Default.Equals(declaring, _dapper):
            case "ExecuteSqlRaw" or "ExecuteSqlRawAsync" or "ExecuteSqlInterpolated" or "ExecuteSqlInterpolatedAsync" or "ExecuteSql" or "ExecuteSqlAsync"
                when SymbolEqualityComparer.Default.Equals(declaring, _relationalFacadeExtensions):
                return Argument(call, "sql") is { } sql ? Sql(call, sql) : null;

            case "PostAsync" or "PatchAsync" when SymbolEqualityComparer.Default.Equals(declaring, _httpClient):
            case "PostAsJsonAsync" or "PatchAsJsonAsync" when SymbolEqualityComparer.Default.Equals(declaring, _httpJsonExtensions):
                return new NonIdempotentWrite(call, "HttpClient." + method.Name, WriteKinds.HttpPostOrPatch);

            case "SendAsync" or "Send" when TypeSymbols.IsOrDerives(declaring, _httpMessageInvoker):
                return Argument(call, "request") is { } request && PostOrPatch(request) is { } verb
                    ? new NonIdempotentWrite(call, $"HttpClient.{method.Name} ({verb})", WriteKinds.HttpSend)
                    : null;

            case "AppendAllText" or "AppendAllLines" or "AppendAllTextAsync" or "AppendAllLinesAsync" or "AppendAllBytes" or "AppendAllBytesAsync" or "AppendText"
                when SymbolEqualityComparer.Default.Equals(declaring, _file):
            case "AppendText" when SymbolEqualityComparer.Default.Equals(declaring, _fileInfo):
                return new NonIdempotentWrite(call, $"{declaring!.Name}.{method.Name}", WriteKinds.Append);

            case "WriteToServer" or "WriteToServerAsync"
                when SymbolEqualityComparer.Default.Equals(declaring, _sqlBulkCopy) || SymbolEqualityComparer.Default.Equals(declaring, _legacySqlBulkCopy):
                return new NonIdempotentWrite(call, "SqlBulkCopy." + method.Name, WriteKinds.BulkCopy);

            // COPY ... FROM STDIN appends every row it is sent; COPY ... TO STDOUT (an export) writes nothing.
            case "BeginBinaryImport" or "BeginBinaryImportAsync" or "BeginTextImport" or "BeginTextImportAsync"
                when SymbolEqualityComparer.Default.Equals(declaring, _npgsqlConnection):
                return new NonIdempotentWrite(call, "NpgsqlConnection." + method.Name, WriteKinds.BulkCopy);

            default:
                return null;
        }
    }

    private NonIdempotentWrite? ClassifyCreation(IObjectCreationOperation creation)
    {
        var type = creation.Type;
        // The arguments first: a constant argument of that name is rare, a walk up the type's bases is not free.
        if (creation.Arguments.Any(a => a.Parameter is { Name: "append" } && a.Value.ConstantValue is { HasValue: true, Value: true })
            && TypeSymbols.IsOrDerives(type, _streamWriter))
        {
            return new NonIdempotentWrite(creation, $"new {type!.Name}(..., append: true)", WriteKinds.Append);
        }

        if (creation.Arguments.Any(a => a.Parameter is { Name: "mode", Type.Name: "FileMode" } && a.Value.ConstantValue is { HasValue: true, Value: 6 })
            && TypeSymbols.IsOrDerives(type, _fileStream))
        {
            return new NonIdempotentWrite(creation, $"new {type!.Name}(..., FileMode.Append)", WriteKinds.Append);
        }

        // new NpgsqlCommand("INSERT ...", connection)
        return creation.Arguments.FirstOrDefault(a => a.Parameter is { Name: "cmdText" or "commandText" }) is { } text && IsCommand(type)
            ? Sql(creation, text.Value)
            : null;
    }

    private bool IsCommand(ITypeSymbol? type)
        => TypeSymbols.IsOrDerives(type, _dbCommand)
            || (_iDbCommand is not null && type is not null && (SymbolEqualityComparer.Default.Equals(type, _iDbCommand) || type.AllInterfaces.Contains(_iDbCommand, SymbolEqualityComparer.Default)));

    private static IOperation? Argument(IInvocationOperation call, string parameterName)
        => call.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameterName && a.ArgumentKind != ArgumentKind.DefaultValue)?.Value;

    private static NonIdempotentWrite? Sql(IOperation write, IOperation sqlOperation)
        => SqlStatements.Text(sqlOperation) is { } text && SqlStatements.NonIdempotent(text, out var kind) is { } what
            ? new NonIdempotentWrite(write, what, kind)
            : null;

    /// <summary>"POST" or "PATCH" when the request is built (inline, or in a local assigned once) with that method.</summary>
    private string? PostOrPatch(IOperation request)
    {
        request = request.WalkDownConversion();
        if (request is ILocalReferenceOperation local)
        {
            request = LocalValues.OnlyDeclarator(local.Local, request.Root())?.Initializer?.Value.WalkDownConversion()!;
        }

        if (request is not IObjectCreationOperation creation || !TypeSymbols.IsOrDerives(creation.Type, _httpRequestMessage))
        {
            return null;
        }

        var method = creation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, _httpMethod))?.Value
            ?? creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Method" })?.Value;
        var verb = method?.WalkDownConversion() switch
        {
            IPropertyReferenceOperation property when SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, _httpMethod) => property.Property.Name.ToUpperInvariant(),
            IObjectCreationOperation { Arguments.Length: 1 } created => (created.Arguments[0].Value.ConstantValue.Value as string)?.ToUpperInvariant(),
            _ => null,
        };
        return verb is "POST" or "PATCH" ? verb : null;
    }

    /// <summary>
    /// True when the request is a local on which the member sets the <c>Idempotency-Key</c> header
    /// (<c>request.Headers.Add(...)</c> or <c>TryAddWithoutValidation</c>). The client's default headers do not count:
    /// they are not the request's.
    /// </summary>
    private static bool HasIdempotencyKeyHeader(IOperation request, IOperation send)
    {
        if (request.WalkDownConversion() is not ILocalReferenceOperation { Local: var local })
        {
            return false;
        }

        return send.Root().Descendants().Any(o =>
            o is IInvocationOperation { TargetMethod.Name: "Add" or "TryAddWithoutValidation", Instance: IPropertyReferenceOperation { Property.Name: "Headers", Instance: ILocalReferenceOperation owner } } add
            && SymbolEqualityComparer.Default.Equals(owner.Local, local)
            && add.Arguments.Length > 0
            && add.Arguments[0].Value.ConstantValue.Value is string header
            && string.Equals(header, RuntimeContract.Idempotency.HeaderName, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The short name of a receiver: a variable, field or property name, else its type's name.</summary>
    private static string Name(IOperation? receiver)
        => receiver?.WalkDownConversion() switch
        {
            ILocalReferenceOperation local => local.Local.Name,
            IParameterReferenceOperation parameter => parameter.Parameter.Name,
            IFieldReferenceOperation field => field.Field.Name,
            IPropertyReferenceOperation property => property.Property.Name,
            { Type: { } type } => type.Name,
            _ => "DbContext",
        };
}

/// <summary>Reads SQL text written in the code and recognizes the statements that are not safe to run twice.</summary>
internal static class SqlStatements
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    private static readonly Regex Comments = new(@"--[^\n]*|/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant, Timeout);

    private static readonly Regex Insert = new(
        @"\bINSERT\s+(?:INTO\s+)?(?<table>[\w.""\[\]`]+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout);

    /// <summary>Conflict handling that makes an insert an upsert or a no-op the second time.</summary>
    private static readonly Regex InsertGuard = new(
        @"\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b|\bNOT\s+EXISTS\b|\bINSERT\s+(?:OR\s+)?IGNORE\b|\bINSERT\s+OR\s+REPLACE\b|\bMERGE\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout);

    private static readonly Regex Update = new(
        @"\bUPDATE\s+(?<table>[\w.""\[\]`]+)\s+SET\s+(?<set>.+?)(?:\bWHERE\b(?<where>.*?))?(?=\bFROM\b|\bRETURNING\b|\bOUTPUT\b|;|$)",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, Timeout);

    private static readonly Regex Assignment = new(
        @"^\s*(?:[\w""\[\]`]+\.)?[""\[`]?(?<column>\w+)[""\]`]?\s*=\s*(?<value>.+?)\s*$",
        RegexOptions.Singleline | RegexOptions.CultureInvariant, Timeout);

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant, Timeout);

    /// <summary>
    /// The SQL text of a constant string, or of an interpolated string (a <c>FormattableString</c> for EF), with each
    /// hole read as a parameter <c>@p</c>; null for text built at run time.
    /// </summary>
    public static string? Text(IOperation operation)
    {
        operation = operation.WalkDownConversion();
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            return constant;
        }

        if (operation is not IInterpolatedStringOperation interpolated)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var part in interpolated.Parts)
        {
            text.Append(part is IInterpolatedStringTextOperation { Text.ConstantValue.Value: string literal } ? literal : "@p");
        }

        return text.ToString();
    }

    /// <summary>
    /// How the message names the first statement of <paramref name="sql"/> that is not idempotent: an INSERT without
    /// ON CONFLICT / ON DUPLICATE KEY / NOT EXISTS / IGNORE (and not a MERGE), or an UPDATE that sets a column relative
    /// to itself (<c>x = x + 1</c>, <c>x = @n + x</c>) and does not test that column in its WHERE (a version check).
    /// </summary>
    public static string? NonIdempotent(string sql, out string kind)
    {
        kind = WriteKinds.SqlInsert;
        try
        {
            sql = Comments.Replace(sql, " ");
            var insert = Insert.Match(sql);
            if (insert.Success && !InsertGuard.IsMatch(sql))
            {
                return "INSERT INTO " + insert.Groups["table"].Value;
            }

            kind = WriteKinds.SqlRelativeUpdate;
            foreach (Match update in Update.Matches(sql))
            {
                if (RelativeAssignment(update.Groups["set"].Value, update.Groups["where"].Value) is { } assignment)
                {
                    return $"UPDATE {update.Groups["table"].Value} SET {Whitespace.Replace(assignment, " ")}";
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Pathological text: say nothing rather than slow the build.
        }

        return null;
    }

    /// <summary>
    /// The first assignment of the SET list that is relative to its own column, unless the WHERE tests one of the
    /// columns the statement sets (<c>... WHERE version = @expected</c>): such an update applies once.
    /// </summary>
    private static string? RelativeAssignment(string setList, string where)
    {
        const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        const string Operator = @"(?:\+|-|\*|/|\|\|)";
        string? relative = null;
        foreach (var item in SplitTopLevel(setList))
        {
            var match = Assignment.Match(item);
            if (!match.Success)
            {
                continue;
            }

            var column = Regex.Escape(match.Groups["column"].Value);
            if (Regex.IsMatch(where, $@"\b{column}\b", Options, Timeout))
            {
                return null;
            }

            var value = match.Groups["value"].Value;
            var self = $@"(?:[\w""\[\]`]+\.)?[""\[`]?{column}[""\]`]?";
            if (relative is null
                && (Regex.IsMatch(value, $@"^\(?\s*{self}\s*{Operator}", Options, Timeout)
                    || Regex.IsMatch(value, $@"{Operator}\s*{self}\s*\)?$", Options, Timeout)))
            {
                relative = item.Trim();
            }
        }

        return relative;
    }

    private static System.Collections.Generic.IEnumerable<string> SplitTopLevel(string list)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            switch (list[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return list.Substring(start, i - start);
                    start = i + 1;
                    break;
            }
        }

        yield return list.Substring(start);
    }
}
