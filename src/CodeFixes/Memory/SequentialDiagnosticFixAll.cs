using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fix All for the streaming fixes, which rewrite whole statements (a loop, or a declaration and the loop after it) that
/// may nest: each diagnostic's node is marked, then fixed in turn against the document the previous fixes left, with its
/// diagnostic (whose properties carry what the options said).
/// </summary>
internal static class SequentialDiagnosticFixAll
{
    public static FixAllProvider Create<TNode>(Func<Document, TNode, Diagnostic, string?, CancellationToken, Task<Document?>> fix)
        where TNode : SyntaxNode
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return null;
            }

            var targets = diagnostics
                .Select(d => (Node: root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<TNode>(), Diagnostic: d))
                .Where(t => t.Node is not null)
                .GroupBy(t => t.Node!)
                .Select(g => (Node: g.Key, g.First().Diagnostic, Mark: new SyntaxAnnotation()))
                .OrderBy(t => t.Node.SpanStart)
                .ToList();
            var marks = targets.ToDictionary(t => (SyntaxNode)t.Node, t => t.Mark);
            document = document.WithSyntaxRoot(root.ReplaceNodes(marks.Keys, (original, current) => current.WithAdditionalAnnotations(marks[original])));

            foreach (var target in targets)
            {
                var current = (await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false))!
                    .GetAnnotatedNodes(target.Mark).OfType<TNode>().FirstOrDefault();
                if (current is not null
                    && await fix(document, current, target.Diagnostic, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
                {
                    document = fixedDocument;
                }
            }

            return document;
        });
}
