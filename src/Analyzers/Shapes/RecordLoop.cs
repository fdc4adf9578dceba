using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// A loop that goes through records one at a time, and the local that holds the current record when the loop declares
/// one. A record loop iterates data that the loop consumes — a query, an async stream, a data reader, a channel, the
/// lines of a file or a reader, or a batch handed in by the caller — not the services, plugins, handlers, subscribers,
/// disposables or reflection metadata a program also loops over. SLU201 and SLU202 ask it about the loop around a try
/// (the record a catch drops) and SLU201 about a loop inside a try (the records a catch abandons).
/// </summary>
/// <remarks>
/// The loops it knows:
/// <list type="bullet">
/// <item><c>foreach</c>/<c>await foreach</c> over an <c>IQueryable&lt;T&gt;</c> or <c>IAsyncEnumerable&lt;T&gt;</c>, over
/// <c>File.ReadLines</c>/<c>File.ReadAllLines</c>, over a text's <c>EnumerateLines()</c>, over <c>DataTable.Rows</c>, or over a parameter (a batch the caller
/// hands in) or a call result whose elements are data (see <see cref="IsData"/>) — seen through LINQ operators and
/// through a local assigned once;</item>
/// <item><c>while (reader.Read())</c>, <c>while (await reader.ReadAsync())</c> over a data reader or a CsvHelper
/// reader, <c>while (channel.TryRead(out var item))</c>, <c>while ((line = reader.ReadLine()) != null)</c>, a
/// <c>while</c> loop whose body receives a broker message (Kafka <c>Consume</c>, Service Bus
/// <c>ReceiveMessageAsync</c>), and a <c>while</c> loop whose try reads the next value off a <c>TextReader</c>,
/// <c>BinaryReader</c> or <c>Stream</c>; <c>foreach</c> over a Service Bus receiver's <c>ReceiveMessagesAsync</c>.</item>
/// </list>
/// A <c>for</c> loop (an attempt counter, an index) is not a record loop; nor is a loop over a field or property of
/// the type (in-memory state: services, subscriptions, caches). Lambdas and local functions stop the search.
/// </remarks>
internal sealed class RecordLoop
{
    /// <summary>Ordinary methods a type may declare and still count as data (an entity with a little behaviour).</summary>
    private const int MaxMethodsOfData = 3;

    private RecordLoop(ILoopOperation loop, ILocalSymbol? record, string source)
    {
        Loop = loop;
        Record = record;
        Source = source;
    }

    /// <summary>The loop.</summary>
    public ILoopOperation Loop { get; }

    /// <summary>The current record: the foreach variable, TryRead's out local or ReadLine's line; null when the loop has none to name.</summary>
    public ILocalSymbol? Record { get; }

    /// <summary>What the loop reads, for messages: <c>'lines'</c>, <c>the query</c>, <c>the data reader</c>...</summary>
    public string Source { get; }

    /// <summary>
    /// The loop whose body holds <paramref name="tryOperation"/>, when it iterates records. The nearest loop decides:
    /// a try in a <c>for</c> loop inside a record loop is in an attempt loop, not directly in the record loop. A batch
    /// handed in counts when its elements are record-like values (see <see cref="IsData"/> without application classes):
    /// a per-record catch over a list of application objects is as often a best-effort pass over state kept elsewhere.
    /// </summary>
    public static RecordLoop? Around(ITryOperation tryOperation, KnownTypes types)
    {
        for (var current = tryOperation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case ILoopOperation loop:
                    return Of(loop, types, tryOperation, withClasses: false);
            }
        }

        return null;
    }

    /// <summary>
    /// The first record loop that runs as part of <paramref name="tryOperation"/>'s block (not in a lambda). Here a batch
    /// of application objects counts too: a catch around the whole loop gives up on every record after the failing one.
    /// </summary>
    public static RecordLoop? Inside(ITryOperation tryOperation, KnownTypes types)
    {
        foreach (var loop in tryOperation.Body.OwnDescendants().OfType<ILoopOperation>())
        {
            if (Of(loop, types, within: null, withClasses: true) is { } recordLoop)
            {
                return recordLoop;
            }
        }

        return null;
    }

    /// <summary>
    /// True for a type whose values are data rather than components: strings (when <paramref name="allowStrings"/>),
    /// numbers, ids, dates, <c>object</c>/<c>dynamic</c>, tuples and arrays of data, rows (<c>DataRow</c>, string-keyed
    /// dictionaries), JSON and XML nodes, C# records, and (when <paramref name="allowClasses"/>) the application's own
    /// classes and structs that hold properties and fields with at most a few methods and no resources. Interfaces,
    /// delegates, disposables, tasks, threads, processes, reflection types and other framework classes are not data.
    /// </summary>
    public static bool IsData(ITypeSymbol? type, KnownTypes types, bool allowStrings, bool allowClasses = false)
    {
        switch (type)
        {
            case IErrorTypeSymbol { CandidateSymbols.IsEmpty: false } ambiguous:
                // A type the build could not pick (two with the same name, a missing reference): data when every candidate is.
                return ambiguous.CandidateSymbols.All(c => c is ITypeSymbol candidate and not IErrorTypeSymbol && IsData(candidate, types, allowStrings, allowClasses));
            case null or IErrorTypeSymbol or ITypeParameterSymbol:
                return false;
            case IDynamicTypeSymbol:
                return true;
            case IArrayTypeSymbol array:
                return array.ElementType.SpecialType == SpecialType.System_Byte || IsData(array.ElementType, types, allowStrings: true, allowClasses);
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return allowStrings;
            case SpecialType.System_Object or SpecialType.System_Decimal or SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Boolean or SpecialType.System_Char:
                return false;
            case >= SpecialType.System_SByte and <= SpecialType.System_Double:
                return true;
        }

        if (type is not INamedTypeSymbol named || named.TypeKind is TypeKind.Enum or TypeKind.Delegate or TypeKind.Pointer)
        {
            return false;
        }

        if (named.IsTupleType)
        {
            return named.TupleElements.All(e => IsData(e.Type, types, allowStrings: true, allowClasses));
        }

        var ns = named.ContainingNamespace;
        switch (named.Name)
        {
            case "Guid" or "DateTimeOffset" or "DateOnly" or "TimeOnly" when TypeSymbols.IsNamespace(ns, "System"):
            case "DataRow" or "IDataRecord" when TypeSymbols.IsNamespace(ns, "System.Data"):
            case "JsonElement" or "JsonDocument" when TypeSymbols.IsNamespace(ns, "System.Text.Json"):
            case "JsonNode" or "JsonObject" or "JsonArray" when TypeSymbols.IsNamespace(ns, "System.Text.Json.Nodes"):
            case "JToken" or "JObject" or "JArray" when TypeSymbols.IsNamespace(ns, "Newtonsoft.Json.Linq"):
            case "XElement" when TypeSymbols.IsNamespace(ns, "System.Xml.Linq"):
                return true;
            case "KeyValuePair" when TypeSymbols.IsNamespace(ns, "System.Collections.Generic") && named.TypeArguments.Length == 2:
                return IsData(named.TypeArguments[1], types, allowStrings: true, allowClasses);
            case "IDictionary" or "IReadOnlyDictionary" or "Dictionary" when TypeSymbols.IsNamespace(ns, "System.Collections.Generic") && named.TypeArguments.Length == 2:
                return named.TypeArguments[0].SpecialType == SpecialType.System_String;
        }

        if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct) || IsComponent(named, types))
        {
            return false;
        }

        if (named.IsRecord)
        {
            return true;
        }

        if (!allowClasses || IsFrameworkType(named))
        {
            return false;
        }

        var methods = 0;
        for (var current = named; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsImplicitlyDeclared: false, IsStatic: false } method
                    && method.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal
                    && method.Name is not ("ToString" or "Equals" or "GetHashCode" or "Deconstruct")
                    && ++methods > MaxMethodsOfData)
                {
                    return false;
                }

                // A holder of a stream, a connection or a service is a resource, not a record.
                var memberType = (member as IPropertySymbol)?.Type ?? (member as IFieldSymbol)?.Type;
                if (memberType is INamedTypeSymbol held && !member.IsStatic && IsComponent(held, types))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// A type of the .NET libraries (an assembly named System*, Microsoft*, mscorlib or netstandard) rather than of the
    /// application or a library it uses: HttpClient, FileInfo, Process, ILogger are framework types; the application's
    /// entities and services, and a client library's types, are not.
    /// </summary>
    public static bool IsFrameworkType(ITypeSymbol type)
    {
        if (type is IErrorTypeSymbol || type.Locations.Any(l => l.IsInSource))
        {
            return false;
        }

        var assembly = type.ContainingAssembly?.Name ?? "";
        return assembly is "mscorlib" or "netstandard" or "System"
            || assembly.StartsWith("System.", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>The loop, when it iterates records; <paramref name="within"/> is a try in its body (for the reads it makes).</summary>
    private static RecordLoop? Of(ILoopOperation loop, KnownTypes types, ITryOperation? within, bool withClasses)
        => loop switch
        {
            IForEachLoopOperation forEach => OfForEach(forEach, types, withClasses),
            IWhileLoopOperation whileLoop => OfWhile(whileLoop, types, within),
            _ => null,
        };

    private static RecordLoop? OfForEach(IForEachLoopOperation loop, KnownTypes types, bool withClasses)
    {
        if (loop.Locals.Length != 1 || loop.Locals[0] is not { } record
            || (IsComponentOrMetadata(record.Type, types) && !IsData(record.Type, types, allowStrings: false, withClasses)))
        {
            return null;
        }

        var source = DataSource(loop.Collection, record.Type, types, withClasses, depth: 0);
        return source is null ? null : new RecordLoop(loop, record, source);
    }

    /// <summary>What <paramref name="collection"/> reads when it yields records of <paramref name="element"/> type, or null.</summary>
    private static string? DataSource(IOperation collection, ITypeSymbol element, KnownTypes types, bool withClasses, int depth)
    {
        var streams = new StreamedSources(types);
        var source = collection.WalkDownConversion();
        while (true)
        {
            if (streams.IsQueryable(source.Type))
            {
                return "the query";
            }

            if (streams.IsAsyncEnumerable(source.Type))
            {
                return "the async stream";
            }

            if (source is not IInvocationOperation call)
            {
                break;
            }

            var method = call.TargetMethod;
            if (method.Name is "ReadLines" or "ReadAllLines" or "ReadLinesAsync" or "ReadAllLinesAsync" && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.File))
            {
                return "the file's lines";
            }

            // text.AsSpan().EnumerateLines(): the lines of a text, one span at a time.
            if (method.Name == "EnumerateLines" && method.ContainingType is { Name: "MemoryExtensions" } extensions
                && TypeSymbols.IsNamespace(extensions.ContainingNamespace, "System"))
            {
                return "the text's lines";
            }

            if (method.Name.StartsWith("Deserialize", StringComparison.Ordinal) && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.JsonSerializer))
            {
                return "the deserialized records";
            }

            if (!IsPassThrough(method) || Receiver(call) is not { } inner)
            {
                break;
            }

            source = inner;
        }

        switch (source)
        {
            case IParameterReferenceOperation parameter when IsData(element, types, allowStrings: true, withClasses):
                return $"'{parameter.Parameter.Name}'";
            case ILocalReferenceOperation local when depth < 2
                && LocalValues.OnlyDeclarator(local.Local, local.Root()) is { Initializer.Value: { } value }:
                return DataSource(value, element, types, withClasses, depth + 1) is { } inner ? inner : null;
            case IPropertyReferenceOperation { Property.Name: "Rows", Type.Name: "DataRowCollection" }:
                return "the table's rows";
            case IAwaitOperation { Operation: var awaited } when Unwrapped(awaited) is IInvocationOperation fetch && Fetches(fetch, element, types, withClasses):
                return $"the result of '{fetch.TargetMethod.Name}'";
            case IInvocationOperation call when Fetches(call, element, types, withClasses):
                return $"the result of '{call.TargetMethod.Name}'";
            default:
                return null;
        }
    }

    /// <summary>
    /// A call that returns records: a query materialized (ToListAsync on an IQueryable), or — when application classes
    /// count — any call whose elements are data other than strings.
    /// </summary>
    private static bool Fetches(IInvocationOperation call, ITypeSymbol element, KnownTypes types, bool withClasses)
        => (Receiver(call) is { } receiver
                && (new StreamedSources(types).IsQueryable(receiver.Type) || TypeSymbols.IsOrDerives(receiver.Type, types.ServiceBusReceiver)))
            || (withClasses && IsData(element, types, allowStrings: false, allowClasses: true));

    /// <summary>LINQ operators, materializers and stream adapters: the records are still the source's.</summary>
    private static bool IsPassThrough(IMethodSymbol method)
    {
        if (method.Name is "ConfigureAwait" or "WithCancellation")
        {
            return true;
        }

        var declaring = (method.ReducedFrom ?? method).ContainingType;
        return declaring is { Name: "Enumerable" or "Queryable" or "AsyncEnumerable" or "EntityFrameworkQueryableExtensions" }
            && (TypeSymbols.IsNamespace(declaring.ContainingNamespace, "System.Linq") || TypeSymbols.IsNamespace(declaring.ContainingNamespace, "Microsoft.EntityFrameworkCore"));
    }

    private static RecordLoop? OfWhile(IWhileLoopOperation loop, KnownTypes types, ITryOperation? within)
    {
        if (loop.Condition is { } condition)
        {
            if (ReadsRecordsInCondition(condition, types, out var record, out var source))
            {
                return new RecordLoop(loop, record, source);
            }
        }

        // while (!token.IsCancellationRequested) { var result = consumer.Consume(token); try { ... } catch { } }
        if (ReceivesMessage(loop, types) is { } message)
        {
            return new RecordLoop(loop, message, "the received messages");
        }

        // while (position < length) { try { var id = reader.ReadInt64(); ... } catch { } } — reads of a loop nested in the
        // try belong to that loop.
        if (within is not null && within.Body.OwnDescendants().OfType<IInvocationOperation>()
                .Any(call => IsReadFromReader(call, types) && !IsInLoopWithin(call, within)))
        {
            return new RecordLoop(loop, null, "the reader");
        }

        return null;
    }

    /// <summary><c>reader.Read()</c>, <c>await reader.ReadAsync()</c>, <c>channel.TryRead(out var item)</c> or <c>(line = reader.ReadLine()) != null</c>.</summary>
    private static bool ReadsRecordsInCondition(IOperation condition, KnownTypes types, out ILocalSymbol? record, out string source)
    {
        record = null;
        source = "the data reader";
        foreach (var call in condition.DescendantsAndSelf().OfType<IInvocationOperation>())
        {
            var receiver = call.Instance?.Type;
            switch (call.TargetMethod.Name)
            {
                case "Read" or "ReadAsync" when TypeSymbols.IsOrDerives(receiver, types.IDataReader) || TypeSymbols.IsOrDerives(receiver, types.DbDataReader):
                    return true;
                case "Read" or "ReadAsync" when TypeSymbols.IsOrDerives(receiver, types.CsvReader):
                    source = "the CSV reader";
                    return true;
                case "TryRead" when TypeSymbols.IsOrDerives(receiver, types.ChannelReader):
                    source = "the channel";
                    if (call.Arguments.FirstOrDefault()?.Value is IDeclarationExpressionOperation { Expression: ILocalReferenceOperation item })
                    {
                        // A channel of signals (bool, an enum) carries no records.
                        if (!IsData(item.Local.Type, types, allowStrings: true, allowClasses: true))
                        {
                            return false;
                        }

                        record = item.Local;
                    }

                    return true;
                case "ReadLine" or "ReadLineAsync" when TypeSymbols.IsOrDerives(receiver, types.TextReader):
                    source = "the reader";
                    var assigned = call.Parent is IAwaitOperation awaited ? awaited.Parent : call.Parent;
                    if (assigned is ISimpleAssignmentOperation { Target: ILocalReferenceOperation line })
                    {
                        record = line.Local;
                    }

                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The local a loop's body receives a broker message into — Confluent.Kafka's <c>consumer.Consume(...)</c>, Azure
    /// Service Bus's <c>await receiver.ReceiveMessageAsync(...)</c>, and with <paramref name="withBasicGet"/> RabbitMQ's
    /// <c>BasicGet(Async)</c> — or null when the body receives none. A RabbitMQ get is a stream for the memory rules, but
    /// not a record lost for SLU202: a message got without auto-ack and not acknowledged is delivered again.
    /// </summary>
    internal static ILocalSymbol? ReceivesMessage(IWhileLoopOperation loop, KnownTypes types, bool withBasicGet = false)
    {
        foreach (var call in loop.Body.OwnDescendants().OfType<IInvocationOperation>())
        {
            var receiver = call.Instance?.Type;
            if (!(call.TargetMethod.Name == "Consume" && TypeSymbols.IsOrDerives(receiver, types.KafkaConsumer))
                && !(call.TargetMethod.Name == "ReceiveMessageAsync" && TypeSymbols.IsOrDerives(receiver, types.ServiceBusReceiver))
                && !(withBasicGet && call.TargetMethod.Name is "BasicGet" or "BasicGetAsync"
                    && (TypeSymbols.IsOrDerives(receiver, types.RabbitMqChannel) || TypeSymbols.IsOrDerives(receiver, types.RabbitMqModel))))
            {
                continue;
            }

            IOperation value = call;
            while (value.Parent is IAwaitOperation or IConversionOperation
                || value.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configured && configured.Instance == value)
            {
                value = value.Parent;
            }

            switch (value.Parent)
            {
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    return declarator.Symbol;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local }:
                    return local.Local;
            }
        }

        return null;
    }

    private static bool IsInLoopWithin(IOperation operation, ITryOperation within)
    {
        for (var current = operation.Parent; current is not null && current != within; current = current.Parent)
        {
            if (current is ILoopOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A <c>Read*</c> call on a TextReader, BinaryReader or Stream: the next record comes off the reader.</summary>
    private static bool IsReadFromReader(IInvocationOperation call, KnownTypes types)
        => call.TargetMethod.Name.StartsWith("Read", StringComparison.Ordinal)
            && call.Instance?.Type is { } receiver
            && (TypeSymbols.IsOrDerives(receiver, types.TextReader) || TypeSymbols.IsOrDerives(receiver, types.BinaryReader) || TypeSymbols.IsOrDerives(receiver, types.Stream));

    /// <summary>A component (service, plugin, handler, disposable...) or reflection metadata: never a record.</summary>
    private static bool IsComponentOrMetadata(ITypeSymbol? type, KnownTypes types)
        => type is INamedTypeSymbol named && (named.TypeKind is TypeKind.Interface or TypeKind.Delegate || IsComponent(named, types));

    private static bool IsComponent(INamedTypeSymbol type, KnownTypes types)
    {
        if (TypeSymbols.IsOrDerives(type, types.Task) || TypeSymbols.IsOrDerives(type, types.Thread) || TypeSymbols.IsOrDerives(type, types.WaitHandle)
            || TypeSymbols.ImplementsAny(type, types.Disposable, types.AsyncDisposable))
        {
            return true;
        }

        var ns = type.ContainingNamespace;
        return TypeSymbols.IsNamespaceOrNested(ns, "System.Reflection")
            || (type.Name is "Type" or "Delegate" or "Action" or "Func" or "EventHandler" && TypeSymbols.IsNamespace(ns, "System"))
            || TypeSymbols.IsNamespaceOrNested(ns, "System.Diagnostics");
    }

    private static IOperation Unwrapped(IOperation operation)
    {
        operation = operation.WalkDownConversion();
        return operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } ? configured.WalkDownConversion() : operation;
    }

    private static IOperation? Receiver(IInvocationOperation call)
        => (call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null))?.WalkDownConversion();
}
