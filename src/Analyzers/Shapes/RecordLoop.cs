using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// A loop that goes through records one at a time — any <c>foreach</c>, <c>while (reader.Read())</c>,
/// <c>while (await reader.ReadAsync())</c> or <c>while (channel.TryRead(out var item))</c> — and the local that holds the
/// current record when the loop declares one. SLU202 asks it about the loop around a try.
/// </summary>
internal sealed class RecordLoop
{
    private RecordLoop(ILoopOperation loop, ILocalSymbol? record)
    {
        Loop = loop;
        Record = record;
    }

    /// <summary>The loop.</summary>
    public ILoopOperation Loop { get; }

    /// <summary>The current record: the foreach variable or TryRead's out local; null when the loop has none to name.</summary>
    public ILocalSymbol? Record { get; }

    /// <summary>
    /// The loop whose body holds <paramref name="tryOperation"/>, when it iterates records. A for loop (an attempt
    /// counter) is not a record loop. Lambdas and local functions stop the search.
    /// </summary>
    public static RecordLoop? Around(ITryOperation tryOperation, KnownTypes types)
    {
        for (var current = tryOperation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case IForEachLoopOperation forEach:
                    return new RecordLoop(forEach, forEach.Locals.Length == 1 ? forEach.Locals[0] : null);
                case IWhileLoopOperation { Condition: { } condition } whileLoop:
                    return ReadsRecords(condition, types, out var record) ? new RecordLoop(whileLoop, record) : null;
                case ILoopOperation:
                    return null;
            }
        }

        return null;
    }

    /// <summary><c>reader.Read()</c>, <c>await reader.ReadAsync()</c> or <c>channel.TryRead(out var item)</c>.</summary>
    private static bool ReadsRecords(IOperation condition, KnownTypes types, out ILocalSymbol? record)
    {
        record = null;
        var call = condition.WalkDownConversion() switch
        {
            IAwaitOperation { Operation: IInvocationOperation awaited } => awaited,
            IInvocationOperation direct => direct,
            _ => null,
        };
        if (call is not { TargetMethod.Name: "Read" or "ReadAsync" or "TryRead" } || call.Instance?.Type is not { } receiver
            || !(TypeSymbols.IsOrDerives(receiver, types.IDataReader)
                || TypeSymbols.IsOrDerives(receiver, types.DbDataReader)
                || TypeSymbols.IsOrDerives(receiver, types.ChannelReader)))
        {
            return false;
        }

        if (call.TargetMethod.Name == "TryRead" && call.Arguments.FirstOrDefault()?.Value is IDeclarationExpressionOperation { Expression: ILocalReferenceOperation item })
        {
            record = item.Local;
        }

        return true;
    }
}
