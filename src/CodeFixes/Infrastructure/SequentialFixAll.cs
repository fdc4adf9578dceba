using System;
using System.Collections.Generic;
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
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return null;
            }

            var targets = diagnostics
                .Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<TNode>())
                .OfType<TNode>()
                .Distinct()
                .OrderBy(node => node.SpanStart)
                .ToList();
            var marks = targets.ToDictionary(node => node, _ => new SyntaxAnnotation());
            document = document.WithSyntaxRoot(root.ReplaceNodes(targets, (original, current) => current.WithAdditionalAnnotations(marks[original])));

            foreach (var mark in marks.Values)
            {
                var current = (await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false))!
                    .GetAnnotatedNodes(mark).OfType<TNode>().FirstOrDefault();
                if (current is not null && await fix(document, current, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
                {
                    document = fixedDocument;
                }
            }

            return document;
        });
}
