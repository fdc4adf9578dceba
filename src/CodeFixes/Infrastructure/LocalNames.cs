using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>Picks a name for a new local that clashes with nothing in scope or declared inside the scope.</summary>
internal static class LocalNames
{
    /// <summary>
    /// The first of <paramref name="candidates"/> that is free in <paramref name="scope"/>, else the first candidate
    /// with a number (<c>ex2</c>, <c>ex3</c>...).
    /// </summary>
    public static string Unique(SemanticModel model, SyntaxNode scope, params string[] candidates)
    {
        var used = new HashSet<string>(scope.DescendantTokens()
            .Where(token => token.IsKind(SyntaxKind.IdentifierToken))
            .Select(token => token.ValueText));
        bool IsFree(string name) => !used.Contains(name) && model.LookupSymbols(scope.SpanStart, name: name).IsEmpty;

        foreach (var candidate in candidates)
        {
            if (IsFree(candidate))
            {
                return candidate;
            }
        }

        for (var suffix = 2; ; suffix++)
        {
            var numbered = candidates[0] + suffix.ToString(CultureInfo.InvariantCulture);
            if (IsFree(numbered))
            {
                return numbered;
            }
        }
    }
}
