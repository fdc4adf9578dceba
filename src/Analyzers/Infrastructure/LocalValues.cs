using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>Where a local gets its value.</summary>
internal static class LocalValues
{
    /// <summary>
    /// The calls through which code takes a task's result, as <c>await</c> and <c>.Result</c> do:
    /// <c>task.ConfigureAwait(false).GetAwaiter().GetResult()</c>. Pass them to <see cref="Origin"/> to follow a value
    /// back through them.
    /// </summary>
    public static readonly string[] AwaitingCalls = ["GetResult", "GetAwaiter", "ConfigureAwait"];

    /// <summary>
    /// The declarator of <paramref name="local"/> when that is the only place it is written (no later assignment,
    /// increment, or ref/out use), so its initializer is its value everywhere; otherwise null.
    /// </summary>
    public static IVariableDeclaratorOperation? OnlyDeclarator(ILocalSymbol local, IOperation root)
    {
        IVariableDeclaratorOperation? declarator = null;
        foreach (var operation in root.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation d when SymbolEqualityComparer.Default.Equals(d.Symbol, local):
                    declarator = d;
                    break;
                case ILocalReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Local, local) && IsWritten(reference):
                    return null;
            }
        }

        return declarator;
    }

    /// <summary>
    /// Where a value comes from, followed through a local written once (see <see cref="OnlyDeclarator"/>),
    /// <c>await</c>, <c>.Result</c>, and calls on the value named in <paramref name="passThroughCalls"/>
    /// (<c>ConfigureAwait</c>, <c>GetAwaiter().GetResult()</c>...), at most eight steps.
    /// </summary>
    public static IOperation Origin(IOperation operation, IOperation root, string[] passThroughCalls)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            operation = operation.WalkDownConversion();
            IOperation? next = operation switch
            {
                ILocalReferenceOperation local => OnlyDeclarator(local.Local, root)?.GetVariableInitializer()?.Value,
                IAwaitOperation awaited => awaited.Operation,
                IPropertyReferenceOperation { Property.Name: "Result", Instance: { } task } => task,
                IInvocationOperation { Instance: { } inner } call when Array.IndexOf(passThroughCalls, call.TargetMethod.Name) >= 0 => inner,
                _ => null,
            };
            if (next is null)
            {
                return operation;
            }

            operation = next;
        }

        return operation;
    }

    /// <summary>The local, parameter, field or property <paramref name="operation"/> reads; null for anything else.</summary>
    public static ISymbol? ReferencedSymbol(IOperation operation)
        => operation.WalkDownConversion() switch
        {
            ILocalReferenceOperation local => local.Local,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };

    private static bool IsWritten(ILocalReferenceOperation reference)
        => reference.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == reference,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            _ => false,
        };
}
