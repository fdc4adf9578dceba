using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>Adds a using directive where the file keeps its usings, in System-first sorted order.</summary>
internal static class UsingDirectives
{
    /// <summary>True when <paramref name="namespaceName"/> is imported at <paramref name="position"/> (global usings included).</summary>
    public static bool IsImported(SemanticModel model, int position, string namespaceName)
    {
        foreach (var scope in model.GetImportScopes(position))
        {
            if (scope.Imports.Any(import => import.NamespaceOrType is INamespaceSymbol ns && ns.ToDisplayString() == namespaceName))
            {
                return true;
            }
        }

        // Code inside the namespace (or a child of it) sees its members without a using.
        for (var ns = model.GetEnclosingSymbol(position)?.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (ns.ToDisplayString() == namespaceName)
            {
                return true;
            }
        }

        return false;
    }

    public static CompilationUnitSyntax Add(CompilationUnitSyntax root, string namespaceName)
    {
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(namespaceName))
            .WithAdditionalAnnotations(Formatter.Annotation);

        // Files that keep their usings inside the namespace get the new one there too.
        if (!root.Usings.Any()
            && root.Members.FirstOrDefault() is BaseNamespaceDeclarationSyntax ns
            && ns.Usings.Any())
        {
            return root.ReplaceNode(ns, ns.WithUsings(Insert(ns.Usings, directive)));
        }

        return root.WithUsings(Insert(root.Usings, directive));
    }

    private static SyntaxList<UsingDirectiveSyntax> Insert(SyntaxList<UsingDirectiveSyntax> usings, UsingDirectiveSyntax directive)
    {
        var plain = usings.Where(u => u.GlobalKeyword.IsKind(SyntaxKind.None) && u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None)).ToList();
        var name = directive.Name!.ToString();
        var before = plain.FirstOrDefault(u => Compare(name, u.Name!.ToString()) < 0);
        if (before is null)
        {
            var lastPlain = plain.LastOrDefault();
            var index = lastPlain is null ? usings.Count : usings.IndexOf(lastPlain) + 1;
            return usings.Insert(index, directive.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed));
        }

        var at = usings.IndexOf(before);
        if (at == 0)
        {
            // Keep a file header comment at the top of the file.
            directive = directive.WithLeadingTrivia(before.GetLeadingTrivia());
            usings = usings.Replace(before, before.WithLeadingTrivia());
        }

        return usings.Insert(at, directive.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed));
    }

    private static int Compare(string left, string right)
    {
        var leftIsSystem = left == "System" || left.StartsWith("System.", StringComparison.Ordinal);
        var rightIsSystem = right == "System" || right.StartsWith("System.", StringComparison.Ordinal);
        return leftIsSystem != rightIsSystem
            ? (leftIsSystem ? -1 : 1)
            : string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
    }
}
