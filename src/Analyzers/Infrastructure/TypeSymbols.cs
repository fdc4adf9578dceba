using System;
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

        // Only an interface can be among the implemented ones.
        return expected.TypeKind == TypeKind.Interface && ImplementsDefinition(type, expected);
    }

    /// <summary>
    /// True when <paramref name="type"/> is one of the interfaces or implements one of them (by definition): one walk over
    /// AllInterfaces, which builds a new array on each call, for several interfaces.
    /// </summary>
    public static bool ImplementsAny(ITypeSymbol? type, INamedTypeSymbol? first, INamedTypeSymbol? second)
    {
        if (type is null || (first is null && second is null))
        {
            return false;
        }

        if (IsDefinition(type, first) || IsDefinition(type, second))
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (IsDefinition(implemented, first) || IsDefinition(implemented, second))
            {
                return true;
            }
        }

        return false;

        static bool IsDefinition(ITypeSymbol candidate, INamedTypeSymbol? definition)
            => definition is not null && SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, definition);
    }

    /// <summary>
    /// True when <paramref name="type"/> is or implements an interface whose definition is <paramref name="definition"/>
    /// (with any type arguments).
    /// </summary>
    /// <remarks>
    /// AllInterfaces builds a new array on each call. Keeping the answers per type was tried: a ConditionalWeakTable entry
    /// per type checked made every garbage collection slower and cost more than the arrays it saved.
    /// </remarks>
    public static bool ImplementsDefinition(ITypeSymbol type, INamedTypeSymbol definition) => ImplementsAny(type, definition, null);

    /// <summary>
    /// True when <paramref name="symbol"/> is the namespace with this dotted name (<c>"System.Collections.Generic"</c>),
    /// compared segment by segment from the innermost: the hot paths ask this of every call and type they meet, and
    /// <c>ToDisplayString()</c> would build a string each time.
    /// </summary>
    public static bool IsNamespace(INamespaceSymbol? symbol, string dottedName)
    {
        var end = dottedName.Length;
        for (var current = symbol; current is not null; current = current.ContainingNamespace)
        {
            if (current.IsGlobalNamespace)
            {
                return end < 0;
            }

            var start = dottedName.LastIndexOf('.', Math.Max(end - 1, 0)) + 1;
            if (end < 0 || end - start != current.Name.Length || string.CompareOrdinal(dottedName, start, current.Name, 0, end - start) != 0)
            {
                return false;
            }

            end = start - 1;
        }

        return false;
    }

    /// <summary>True when <paramref name="symbol"/> is in the namespace with this dotted name or one nested in it.</summary>
    public static bool IsNamespaceOrNested(INamespaceSymbol? symbol, string dottedName)
    {
        for (var current = symbol; current is { IsGlobalNamespace: false }; current = current.ContainingNamespace)
        {
            if (IsNamespace(current, dottedName))
            {
                return true;
            }
        }

        return false;
    }
}
