using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>
/// Fix All for fixes that interact within a document — the first dead-letter fix adds a sink field that the next ones
/// must use, not add again. The fixed nodes are marked first, then fixed one after the other, each against the document
/// as the previous fixes left it.
/// </summary>
internal static class SequentialFixAll
{
    public static FixAllProvider Create<TNode>(Func<Document, TNode, string?, CancellationToken, Task<Document?>> fix)
        where TNode : SyntaxNode
        => Create<TNode>((document, node, _, key, cancellationToken) => fix(document, node, key, cancellationToken));

    /// <summary>The same, for fixes that need each node's diagnostic (its properties carry what the options said).</summary>
    public static FixAllProvider Create<TNode>(Func<Document, TNode, Diagnostic, string?, CancellationToken, Task<Document?>> fix)
        where TNode : SyntaxNode
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return null;
            }

            // One target per node (the first diagnostic on it), in document order.
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
