using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// The loops SLU107 and SLU108 treat as running over an unbounded source, resolved once per compilation: a
/// <c>foreach</c>/<c>await foreach</c> over an <c>IQueryable&lt;T&gt;</c> (EF Core queries and DbSets), an
/// <c>IAsyncEnumerable&lt;T&gt;</c> (a channel's <c>ReadAllAsync</c>, a consumer's stream...), <c>File.ReadLines</c>, an
/// unbuffered Dapper query (<c>Query(..., buffered: false)</c>, a <c>CommandDefinition</c> without
/// <c>CommandFlags.Buffered</c>, <c>QueryUnbufferedAsync</c>) or CsvHelper's <c>GetRecords&lt;T&gt;()</c>/<c>GetRecordsAsync&lt;T&gt;()</c>;
/// a <c>while (reader.Read())</c> / <c>while (await reader.ReadAsync(...))</c> loop over a DbDataReader, an
/// IDataReader or a CsvHelper reader; and a broker polling loop — <c>while (!token.IsCancellationRequested)</c> (or
/// <c>while (true)</c>) whose body receives a message (Kafka <c>Consume</c>, Service Bus <c>ReceiveMessageAsync</c>,
/// RabbitMQ <c>BasicGet(Async)</c>). A source limited by Take, TakeLast or TakeWhile is bounded, and so is a reader or
/// Dapper query whose SQL the member shows is bounded or the caller's, or a reader that reads the database's catalog.
/// Anything else — an in-memory list or array, a parameter of IEnumerable type, a buffered Dapper query (SLU103's) — is
/// not a stream as far as these rules know.
/// </summary>
internal sealed class StreamedSources
{
    private readonly INamedTypeSymbol? _queryable;
    private readonly INamedTypeSymbol? _asyncEnumerable;
    private readonly INamedTypeSymbol? _file;
    private readonly INamedTypeSymbol? _dbDataReader;
    private readonly INamedTypeSymbol? _dataReader;
    private readonly INamedTypeSymbol? _sqlMapper;
    private readonly INamedTypeSymbol? _commandDefinition;
    private readonly INamedTypeSymbol? _csvReader;
    private readonly INamedTypeSymbol? _csvReaderInterface;
    private readonly KnownTypes _types;

    public StreamedSources(KnownTypes types)
    {
        _types = types;
        _sqlMapper = types.DapperSqlMapper;
        _commandDefinition = types.DapperCommandDefinition;
        _csvReader = types.CsvReader;
        _csvReaderInterface = types.CsvReaderInterface;
        _queryable = types.GenericQueryable;
        _asyncEnumerable = types.AsyncEnumerable;
        _file = types.File;
        _dbDataReader = types.DbDataReader;
        _dataReader = types.IDataReader;
    }

    /// <summary>
    /// What the loop streams, for a message ("the query", "the async stream", "File.ReadLines", "the unbuffered Dapper
    /// query", "the CSV records", "the data reader", "the CSV reader"), or null when it is not an unbounded stream.
    /// </summary>
    public string? Describe(ILoopOperation loop)
        => loop switch
        {
            IForEachLoopOperation forEach => DescribeCollection(forEach.Collection),
            IWhileLoopOperation { ConditionIsTop: true, ConditionIsUntil: false, Condition: { } condition }
                when ReaderOf(condition) is { } reader
                => IsCsvReader(reader.Type) ? "the CSV reader" : IsBoundedReader(reader, loop) ? null : "the data reader",
            IWhileLoopOperation { ConditionIsTop: true, ConditionIsUntil: false, Condition: { } condition } polling
                when RunsUntilStopped(condition) && ReceivedMessage(polling) is not null
                => "the received messages",
            _ => null,
        };

    /// <summary>
    /// The local a polling loop's body receives each broker message into: Kafka <c>consumer.Consume(...)</c>, Service Bus
    /// <c>ReceiveMessageAsync</c>, RabbitMQ <c>BasicGet(Async)</c> (see <see cref="RecordLoop.ReceivesMessage"/>); null
    /// for any other loop. What the loop is bounded by is <see cref="Describe"/>'s question.
    /// </summary>
    public ILocalSymbol? ReceivedMessage(ILoopOperation loop)
        => loop is IWhileLoopOperation polling ? RecordLoop.ReceivesMessage(polling, _types, withBasicGet: true) : null;

    /// <summary>
    /// A loop condition that only waits for the job to be stopped — <c>true</c>, <c>!token.IsCancellationRequested</c>,
    /// or a conjunction of them — so the loop runs for as long as messages come: a broker's queue or topic has no end.
    /// A condition on anything else (a count, a deadline, a flag) may bound it.
    /// </summary>
    private static bool RunsUntilStopped(IOperation condition)
        => condition.WalkDownConversion() switch
        {
            { ConstantValue: { HasValue: true, Value: true } } => true,
            IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: var operand }
                => operand.WalkDownConversion() is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" },
            IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both
                => RunsUntilStopped(both.LeftOperand) && RunsUntilStopped(both.RightOperand),
            _ => false,
        };

    /// <summary>
    /// The source reads rows through a Dapper query (an unbuffered one: a buffered query is not a stream), on a
    /// connection the member may also be writing through.
    /// </summary>
    public bool IsDapperQuery(IOperation source)
    {
        for (var operation = source.WalkDownConversion(); operation is IInvocationOperation call; operation = Receiver(call))
        {
            if (IsDapperMethod(call.TargetMethod))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A <c>foreach</c> over a parameter whose items are of a type parameter of the method itself
    /// (<c>ToListAsync&lt;T&gt;(this IAsyncEnumerable&lt;T&gt; items)</c>): a general-purpose helper over the caller's stream.
    /// </summary>
    public static bool IsGenericHelperOverCallersStream(ILoopOperation loop, ISymbol? member)
        => loop is IForEachLoopOperation forEach
            && SourceOf(forEach) is IParameterReferenceOperation parameter
            && member is IMethodSymbol { IsGenericMethod: true } method
            && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method)
            && forEach.Locals.FirstOrDefault()?.Type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } item
            && SymbolEqualityComparer.Default.Equals(item.DeclaringMethod, method);

    /// <summary>
    /// A reader that the member shows is bounded: its constant SQL is bounded (LIMIT, TOP, a key lookup, the catalog;
    /// see <see cref="CommandText"/>), its SQL is the caller's (a string parameter), or the loop reads catalog columns
    /// (<c>reader["TABLE_NAME"]</c>): one row per table or column of the database.
    /// </summary>
    private static bool IsBoundedReader(IOperation reader, ILoopOperation loop)
    {
        if (CommandText.Of(reader) is { IsBoundedSql: true } or { Origin: CommandTextOrigin.Parameter })
        {
            return true;
        }

        foreach (var operation in loop.Body.Descendants())
        {
            var column = operation switch
            {
                IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer => indexer.Arguments[0].Value,
                IInvocationOperation { TargetMethod.Name: "GetOrdinal", Arguments.Length: 1 } ordinal => ordinal.Arguments[0].Value,
                _ => null,
            };
            if (column?.ConstantValue is { HasValue: true, Value: string name } && SqlBounds.IsCatalogColumn(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The source is a query (IQueryable) rather than an async stream, a file or a reader.</summary>
    public bool IsQueryable(ITypeSymbol? type) => TypeSymbols.IsOrDerives(type, _queryable);

    /// <summary>The source is an IAsyncEnumerable.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol? type) => TypeSymbols.IsOrDerives(type, _asyncEnumerable);

    /// <summary>The collection of a foreach without the conversion and without <c>WithCancellation</c>/<c>ConfigureAwait</c>.</summary>
    public static IOperation SourceOf(IForEachLoopOperation loop)
    {
        var source = loop.Collection.WalkDownConversion();
        while (source is IInvocationOperation { TargetMethod.Name: "WithCancellation" or "ConfigureAwait" } configured
            && Receiver(configured) is { } inner)
        {
            source = inner;
        }

        return source;
    }

    private string? DescribeCollection(IOperation collection)
    {
        var source = collection.WalkDownConversion();
        var top = source;
        while (source is IInvocationOperation call)
        {
            var method = call.TargetMethod;
            if (method.Name is "Take" or "TakeLast" or "TakeWhile")
            {
                return null;
            }

            if (method.Name is "ReadLines" or "ReadLinesAsync" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _file))
            {
                return "File.ReadLines";
            }

            if (IsDapperMethod(method))
            {
                // A buffered query is a list already (SLU103's finding); SQL bounded or chosen by the caller is no stream.
                return IsUnbufferedDapperQuery(call, out var sql) && !IsBoundedOrCallersSql(sql) ? "the unbuffered Dapper query" : null;
            }

            if (method.Name is "GetRecords" or "GetRecordsAsync" or "EnumerateRecords" or "EnumerateRecordsAsync" && IsCsvReader(method.ContainingType))
            {
                return "the CSV records";
            }

            if (method.Name is "WithCancellation" or "ConfigureAwait")
            {
                top = Receiver(call) ?? top;
            }

            source = Receiver(call);
        }

        var type = top.Type;
        if (TypeSymbols.IsOrDerives(type, _queryable))
        {
            return "the query";
        }

        return TypeSymbols.IsOrDerives(type, _asyncEnumerable) ? "the async stream" : null;
    }

    private bool IsDapperMethod(IMethodSymbol method)
        => method.Name is "Query" or "QueryUnbufferedAsync"
            && _sqlMapper is not null
            && SymbolEqualityComparer.Default.Equals(method.ContainingType, _sqlMapper);

    /// <summary>A CsvHelper reader: <c>CsvReader</c>, or <c>IReader</c> (CsvHelper up to 33).</summary>
    private bool IsCsvReader(ITypeSymbol? type)
        => (_csvReader is not null && TypeSymbols.IsOrDerives(type, _csvReader))
            || (_csvReaderInterface is not null && TypeSymbols.IsOrDerives(type, _csvReaderInterface));

    /// <summary>
    /// <c>QueryUnbufferedAsync</c>, <c>Query(..., buffered: false)</c> or <c>Query(new CommandDefinition(..., flags: ...))</c>
    /// with constant flags that leave out <c>CommandFlags.Buffered</c>; <paramref name="sql"/> is the SQL text's operation.
    /// </summary>
    private bool IsUnbufferedDapperQuery(IInvocationOperation call, out IOperation? sql)
    {
        const int bufferedFlag = 1;
        sql = null;
        var unbuffered = call.TargetMethod.Name == "QueryUnbufferedAsync";
        foreach (var argument in call.Arguments)
        {
            switch (argument.Parameter?.Name)
            {
                case "sql":
                    sql = argument.Value;
                    break;
                case "buffered" when argument.ArgumentKind == ArgumentKind.Explicit:
                    unbuffered = argument.Value.ConstantValue is { HasValue: true, Value: false };
                    break;
                case "command" when argument.Value.WalkDownConversion() is IObjectCreationOperation creation
                    && SymbolEqualityComparer.Default.Equals(creation.Type, _commandDefinition):
                    foreach (var field in creation.Arguments)
                    {
                        switch (field.Parameter?.Name)
                        {
                            case "commandText":
                                sql = field.Value;
                                break;
                            case "flags" when field.ArgumentKind == ArgumentKind.Explicit:
                                unbuffered = field.Value.ConstantValue is { HasValue: true, Value: int flags } && (flags & bufferedFlag) == 0;
                                break;
                        }
                    }

                    break;
            }
        }

        return unbuffered;
    }

    /// <summary>SQL that the member shows is bounded (see <see cref="CommandText"/>), or a string parameter: the caller's query and bound.</summary>
    private static bool IsBoundedOrCallersSql(IOperation? sql)
        => sql is not null && CommandText.Of(sql) is { IsBoundedSql: true } or { Origin: CommandTextOrigin.Parameter };

    /// <summary>The reader of a <c>reader.Read()</c> or <c>await reader.ReadAsync(...)</c> condition (a data reader or a CsvHelper reader), or null.</summary>
    private IOperation? ReaderOf(IOperation condition)
    {
        var operation = condition.WalkDownConversion();
        if (operation is IAwaitOperation awaited)
        {
            operation = awaited.Operation.WalkDownConversion();
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                operation = configured.WalkDownConversion();
            }

            return operation is IInvocationOperation { TargetMethod.Name: "ReadAsync", Instance: { } asyncReader }
                && (TypeSymbols.IsOrDerives(asyncReader.Type, _dbDataReader) || IsCsvReader(asyncReader.Type))
                    ? asyncReader
                    : null;
        }

        return operation is IInvocationOperation { TargetMethod.Name: "Read", Arguments.Length: 0, Instance: { } reader }
            && (TypeSymbols.IsOrDerives(reader.Type, _dbDataReader) || TypeSymbols.IsOrDerives(reader.Type, _dataReader) || IsCsvReader(reader.Type))
                ? reader
                : null;
    }

    private static IOperation? Receiver(IInvocationOperation call)
        => (call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null))?.WalkDownConversion();
}
