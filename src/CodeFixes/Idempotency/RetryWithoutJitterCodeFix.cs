using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using Sluice.Analyzers;
using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Idempotency;

/// <summary>
/// Fixes SLU404 by setting <c>BackoffType = DelayBackoffType.Exponential</c> and <c>UseJitter = true</c> in the options'
/// object initializer (replacing what it set, adding the initializer if there is none). Not offered when either is
/// assigned after the initializer, which would undo the fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RetryWithoutJitterCodeFix))]
[Shared]
public sealed class RetryWithoutJitterCodeFix : CodeFixProvider
{
    internal const string ExponentialWithJitterKey = RuleIds.RetryWithoutJitter + ".ExponentialWithJitter";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.RetryWithoutJitter);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (context.Diagnostics[0].Properties.ContainsKey(RetryWithoutJitterAnalyzer.PollyV7Property)
            || root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<BaseObjectCreationExpressionSyntax>() is not { } creation
            || await FixAsync(context.Document, creation, ExponentialWithJitterKey, context.CancellationToken).ConfigureAwait(false) is not { } fixedDocument)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Use exponential backoff with jitter", _ => Task.FromResult(fixedDocument), ExponentialWithJitterKey),
            context.Diagnostics[0]);
    }

    private static async Task<Document?> FixAsync(Document document, BaseObjectCreationExpressionSyntax creation, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (key != ExponentialWithJitterKey || root is not CompilationUnitSyntax unit || model is null
            || model.GetOperation(creation, cancellationToken) is not IObjectCreationOperation operation
            || PollyRetryOptions.Settings(operation) is not { } settings
            || settings.Any(s => s.Key is "BackoffType" or "UseJitter" && !s.Value.InInitializer))
        {
            return null;
        }

        var newCreation = InitializerSetter.Set(creation, "BackoffType", SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            SyntaxFactory.ParseTypeName("global::Polly.DelayBackoffType").WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.IdentifierName("Exponential")));
        newCreation = InitializerSetter.Set(newCreation, "UseJitter", SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression));
        var newRoot = unit.ReplaceNode(creation, newCreation);
        if (!UsingDirectives.IsImported(model, creation.SpanStart, "Polly"))
        {
            newRoot = UsingDirectives.Add(newRoot, "Polly");
        }

        return document.WithSyntaxRoot(newRoot);
    }
}

/// <summary>Sets a property in an object creation's initializer: replaces its value, or adds the assignment (and the initializer).</summary>
internal static class InitializerSetter
{
    public static BaseObjectCreationExpressionSyntax Set(BaseObjectCreationExpressionSyntax creation, string property, ExpressionSyntax value)
    {
        if (creation.Initializer is { } initializer)
        {
            var existing = initializer.Expressions.OfType<AssignmentExpressionSyntax>()
                .FirstOrDefault(a => a.Left is IdentifierNameSyntax { Identifier.ValueText: var name } && name == property);
            if (existing is not null)
            {
                return creation.ReplaceNode(existing.Right, value.WithTriviaFrom(existing.Right));
            }

            var assignment = SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(property), value);
            var expressions = initializer.Expressions;
            var multiline = initializer.OpenBraceToken.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            if (expressions.Count > 0 && expressions.SeparatorCount == expressions.Count)
            {
                // A trailing comma: the new assignment goes after it, with its own trailing comma.
                var lastSeparator = expressions.GetSeparator(expressions.Count - 1);
                var items = expressions.Append(assignment.WithLeadingTrivia(expressions[expressions.Count - 1].GetLeadingTrivia())).ToList();
                var separators = expressions.GetSeparators().Append(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTriviaFrom(lastSeparator));
                expressions = SyntaxFactory.SeparatedList(items, separators);
            }
            else if (expressions.Count > 0 && multiline)
            {
                var last = expressions[expressions.Count - 1];
                var separator = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(last.GetTrailingTrivia());
                var items = expressions.Select(e => e == last ? e.WithoutTrailingTrivia() : e)
                    .Append(assignment.WithLeadingTrivia(last.GetLeadingTrivia()).WithTrailingTrivia(last.GetTrailingTrivia()))
                    .ToList();
                var separators = Enumerable.Range(0, expressions.SeparatorCount).Select(i => expressions.GetSeparator(i)).Append(separator);
                expressions = SyntaxFactory.SeparatedList(items, separators);
            }
            else
            {
                expressions = expressions.Add(assignment);
            }

            return creation.WithInitializer(initializer.WithExpressions(expressions)).WithAdditionalAnnotations(Formatter.Annotation);
        }

        var newInitializer = SyntaxFactory.InitializerExpression(
            SyntaxKind.ObjectInitializerExpression,
            SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(
                SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(property), value)));
        var trailing = creation.GetTrailingTrivia();
        return creation.WithoutTrailingTrivia()
            .WithInitializer(newInitializer)
            .WithTrailingTrivia(trailing)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
