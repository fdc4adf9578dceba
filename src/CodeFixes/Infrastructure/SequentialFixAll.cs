using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>
/// The one Fix All strategy of every Sluice fix: the fix is applied to one diagnostic after the other, each time against
/// the document the previous fixes left, exactly as a user applying them one by one would. Sluice's fixes interact too
/// often for a batch merge to be sound — the first dead-letter fix adds the sink field the next ones use, a wait's fix
/// rewrites the statement that holds a second wait, a deadline fix rewrites the whole method of several calls — and
/// this way Fix All can never produce what applying the fixes one by one would not.
/// </summary>
internal static class SequentialFixAll
{
    /// <summary>Fix All for <paramref name="provider"/>, which must offer its fixes from <c>RegisterCodeFixesAsync</c>.</summary>
    public static FixAllProvider For(CodeFixProvider provider)
        => FixAllProvider.Create((context, document, diagnostics) => FixDocumentAsync(provider, context, document, diagnostics));

    private static async Task<Document?> FixDocumentAsync(CodeFixProvider provider, FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var cancellationToken = context.CancellationToken;
        if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
        {
            return null;
        }

        // Each diagnostic's locations are pinned to syntax nodes, so they can be found again after earlier fixes moved them.
        var marks = new Dictionary<SyntaxNode, SyntaxAnnotation>();
        var targets = diagnostics
            .Where(d => d.Location.IsInSource && d.Location.SourceTree == root.SyntaxTree)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => new Target(d, PinTo(root, d.Location.SourceSpan, marks), d.AdditionalLocations.Select(l => PinTo(root, l.SourceSpan, marks)).ToImmutableArray()))
            .ToList();
        document = document.WithSyntaxRoot(root.ReplaceNodes(marks.Keys, (original, current) => current.WithAdditionalAnnotations(marks[original])));

        foreach (var target in targets)
        {
            var current = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            if (target.Find(current) is { } diagnostic
                && await ChooseAsync(provider, document, diagnostic, context.CodeActionEquivalenceKey, cancellationToken).ConfigureAwait(false) is { } action)
            {
                var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
                if (operations.OfType<ApplyChangesOperation>().FirstOrDefault()?.ChangedSolution.GetDocument(document.Id) is { } changed)
                {
                    document = changed;
                }
            }
        }

        return document;
    }

    /// <summary>The action the provider offers for the diagnostic under the Fix All's equivalence key.</summary>
    private static async Task<CodeAction?> ChooseAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic, string? key, CancellationToken cancellationToken)
    {
        var offered = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => offered.Add(action), cancellationToken);
        await provider.RegisterCodeFixesAsync(context).ConfigureAwait(false);
        return offered.FirstOrDefault(action => key is null || action.EquivalenceKey == key);
    }

    private static Pin PinTo(SyntaxNode root, TextSpan span, Dictionary<SyntaxNode, SyntaxAnnotation> marks)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        if (!marks.TryGetValue(node, out var mark))
        {
            marks[node] = mark = new SyntaxAnnotation();
        }

        return new Pin(mark, span.Start - node.SpanStart, span.Length, node.Span.Length);
    }

    /// <summary>
    /// A location held by the node that covers it: where the node still has its original width the span keeps its place
    /// inside it; where an earlier fix changed the node, the location becomes the whole node (fixes look for the node).
    /// </summary>
    private sealed class Pin(SyntaxAnnotation mark, int offset, int length, int nodeLength)
    {
        public Location? Find(SyntaxNode root)
        {
            if (root.GetAnnotatedNodes(mark).FirstOrDefault() is not { } current)
            {
                return null;
            }

            var span = current.Span.Length == nodeLength ? new TextSpan(current.SpanStart + offset, length) : current.Span;
            return Location.Create(root.SyntaxTree, span);
        }
    }

    private sealed class Target(Diagnostic diagnostic, Pin primary, ImmutableArray<Pin> additionalPins)
    {
        /// <summary>The diagnostic at its current place (its message arguments are not kept: fixes read its properties).</summary>
        public Diagnostic? Find(SyntaxNode root)
        {
            if (primary.Find(root) is not { } location)
            {
                return null;
            }

            var additional = new List<Location>();
            foreach (var pin in additionalPins)
            {
                if (pin.Find(root) is not { } found)
                {
                    return null;
                }

                additional.Add(found);
            }

            return Diagnostic.Create(diagnostic.Descriptor, location, additional, diagnostic.Properties);
        }
    }
}
