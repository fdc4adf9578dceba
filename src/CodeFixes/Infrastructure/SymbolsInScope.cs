using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>Finds a value a fix can name at a position: a local, parameter, field or property of a wanted type.</summary>
internal static class SymbolsInScope
{
    /// <summary>
    /// The nearest usable symbol whose type matches <paramref name="isWanted"/>: locals and parameters first, then
    /// members of the enclosing type. Instance state is skipped in a static context, locals declared after
    /// <paramref name="position"/> are not yet usable, locals and parameters of another function are not usable (the
    /// top-level statements' locals are in scope in every type's members, but cannot be used there), and inside a static
    /// lambda or local function the locals and parameters from outside it are not usable (it cannot capture them).
    /// </summary>
    public static ISymbol? FindUsable(SemanticModel model, int position, Func<ITypeSymbol, bool> isWanted)
        => FindUsable(model, position, isWanted, isNamed: _ => true);

    /// <summary>As <see cref="FindUsable(SemanticModel, int, Func{ITypeSymbol, bool})"/>, among the symbols <paramref name="isNamed"/> accepts.</summary>
    public static ISymbol? FindUsable(SemanticModel model, int position, Func<ITypeSymbol, bool> isWanted, Func<ISymbol, bool> isNamed)
    {
        var enclosing = model.GetEnclosingSymbol(position);
        var inStaticContext = IsInStaticContext(enclosing);
        var enclosingType = enclosing?.ContainingType;
        var staticFunction = InnermostStaticFunction(enclosing);

        bool Wanted(ITypeSymbol? type) => type is not null && isWanted(type);
        bool Capturable(ISymbol symbol)
            => IsInside(enclosing, symbol.ContainingSymbol) && (staticFunction is null || IsInside(symbol.ContainingSymbol, staticFunction));

        return model.LookupSymbols(position)
            .Where(isNamed)
            .Where(symbol => symbol switch
            {
                ILocalSymbol local => Wanted(local.Type) && local.DeclaringSyntaxReferences.All(r => r.Span.End <= position) && Capturable(local),
                IParameterSymbol parameter => Wanted(parameter.Type) && (!IsPrimaryConstructorParameter(parameter, enclosing) ? Capturable(parameter) : !inStaticContext),
                IFieldSymbol field => Wanted(field.Type) && (field.IsStatic || !inStaticContext) && InHierarchy(field, enclosingType),
                IPropertySymbol property => Wanted(property.Type) && (property.IsStatic || !inStaticContext) && InHierarchy(property, enclosingType),
                _ => false,
            })
            .OrderBy(symbol => symbol is ILocalSymbol or IParameterSymbol ? 0 : 1)
            .FirstOrDefault();
    }

    /// <summary>A primary constructor parameter used outside the constructor is captured state, like a field.</summary>
    private static bool IsPrimaryConstructorParameter(IParameterSymbol parameter, ISymbol? enclosing)
        => parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
            && !SymbolEqualityComparer.Default.Equals(constructor, enclosing);

    private static bool InHierarchy(ISymbol member, INamedTypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, member.ContainingType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The innermost static lambda or local function the position is in, or null.</summary>
    private static ISymbol? InnermostStaticFunction(ISymbol? enclosing)
    {
        for (var current = enclosing; current is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function; current = current.ContainingSymbol)
        {
            if (function.IsStatic)
            {
                return function;
            }
        }

        return null;
    }

    private static bool IsInside(ISymbol? symbol, ISymbol container)
    {
        for (var current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (SymbolEqualityComparer.Default.Equals(current, container))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lambdas and local functions that are not static see what their container sees.</summary>
    private static bool IsInStaticContext(ISymbol? symbol)
    {
        var current = symbol;
        while (current is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction, IsStatic: false })
        {
            current = current.ContainingSymbol;
        }

        return current is null || current.IsStatic;
    }
}
