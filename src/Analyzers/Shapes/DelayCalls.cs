using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>The pause between attempts of a retry: <c>Thread.Sleep</c> and <c>Task.Delay</c>.</summary>
internal static class DelayCalls
{
    /// <summary>
    /// The <c>Thread.Sleep(...)</c> or <c>Task.Delay(...)</c> call of a statement's expression, seen through <c>await</c>
    /// and <c>ConfigureAwait</c>; null for anything else.
    /// </summary>
    public static IInvocationOperation? AsDelay(IOperation? operation, KnownTypes types)
    {
        operation = operation?.WalkDownConversion();
        if (operation is IAwaitOperation awaited)
        {
            operation = awaited.Operation.WalkDownConversion();
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                operation = configured.WalkDownConversion();
            }
        }

        return operation is IInvocationOperation invocation && types.IsDelay(invocation.TargetMethod) ? invocation : null;
    }
}
