using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>Where a local gets its value.</summary>
internal static class LocalValues
{
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

    private static bool IsWritten(ILocalReferenceOperation reference)
        => reference.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == reference,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            _ => false,
        };
}
