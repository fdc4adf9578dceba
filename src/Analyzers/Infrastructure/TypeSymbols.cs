using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>Where a type stands in a hierarchy: the checks every rule makes against the types it resolved.</summary>
internal static class TypeSymbols
{
    /// <summary>
    /// <paramref name="type"/> or the first of its base classes whose definition is <paramref name="definition"/>
    /// (<c>DbSet&lt;Order&gt;</c> for <c>DbSet`1</c>), or null.
    /// </summary>
    public static INamedTypeSymbol? BaseOrSelf(ITypeSymbol? type, INamedTypeSymbol? definition)
    {
        if (definition is null)
        {
            return null;
        }

        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, definition))
            {
                return current;
            }
        }

        return null;
    }

    /// <summary>True for <paramref name="type"/> itself, a class derived from it, or a type implementing it.</summary>
    public static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol? expected)
    {
        if (expected is null || type is null)
        {
            return false;
        }

        if (BaseOrSelf(type, expected) is not null)
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, expected))
            {
                return true;
            }
        }

        return false;
    }
}
