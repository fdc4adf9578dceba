using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Idempotency;

/// <summary>
/// Fixes SLU403, with the Sluice runtime referenced, by retrying only what <c>SluiceResilience.IsTransient</c> accepts:
/// <c>Handle&lt;Exception&gt;()</c> becomes <c>Handle&lt;Exception&gt;(SluiceResilience.IsTransient)</c> (Polly v8's
/// <c>PredicateBuilder</c>, and Polly v7's <c>Policy.Handle</c>/<c>Or</c>/<c>HandleInner</c>/<c>OrInner</c>, whose predicate
/// overloads take the same <c>Func&lt;Exception, bool&gt;</c>); options with no
/// <c>ShouldHandle</c> get <c>ShouldHandle = new PredicateBuilder&lt;T&gt;().Handle&lt;Exception&gt;(SluiceResilience.IsTransient)</c>;
/// a retry loop's broad catch gets <c>when (SluiceResilience.IsTransient(ex))</c> in front of its own condition (and an
/// exception variable if it had none).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RetryHandlesEveryExceptionCodeFix))]
[Shared]
public sealed class RetryHandlesEveryExceptionCodeFix : CodeFixProvider
{
    internal const string HandleTransientOnlyKey = RuleIds.RetryHandlesEveryException + ".HandleTransientOnly";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.RetryHandlesEveryException);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not { } node
            || await FixAsync(context.Document, node, HandleTransientOnlyKey, context.CancellationToken).ConfigureAwait(false) is not { } fixedDocument)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Retry transient failures only (SluiceResilience.IsTransient)", _ => Task.FromResult(fixedDocument), HandleTransientOnlyKey),
            context.Diagnostics[0]);
    }

    private static async Task<Document?> FixAsync(Document document, SyntaxNode node, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (key != HandleTransientOnlyKey || root is not CompilationUnitSyntax unit || model is null
            || KnownTypes.Of(model.Compilation).SluiceResilience is not { } runtime
            || runtime.GetMembers(RuntimeContract.Resilience.IsTransient).IsEmpty)
        {
            return null;
        }

        var isTransient = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            SyntaxFactory.ParseTypeName("global::" + RuntimeContract.Resilience.TypeName).WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.IdentifierName(RuntimeContract.Resilience.IsTransient));

        CompilationUnitSyntax newRoot;
        var needsPolly = false;
        var needsSystem = false;
        if (node is CatchClauseSyntax catchClause)
        {
            needsSystem = catchClause.Declaration is null;
            newRoot = unit.ReplaceNode(catchClause, FilterCatch(model, catchClause, isTransient));
        }
        else if (node is InvocationExpressionSyntax invocation && IsHandle(invocation))
        {
            newRoot = unit.ReplaceNode(invocation, invocation.WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(isTransient)))));
        }
        else if (node is BaseObjectCreationExpressionSyntax creation
            && model.GetOperation(creation, cancellationToken) is IObjectCreationOperation { Type: INamedTypeSymbol optionsType }
            && PollyRetryOptions.Settings((IObjectCreationOperation)model.GetOperation(creation, cancellationToken)!) is { } settings
            && !settings.ContainsKey("ShouldHandle"))
        {
            var resultType = optionsType.IsGenericType ? optionsType.TypeArguments[0] : null;
            TypeSyntax builderType = resultType is null
                ? SyntaxFactory.ParseTypeName("global::Polly.PredicateBuilder")
                : SyntaxFactory.GenericName(SyntaxFactory.Identifier("PredicateBuilder"))
                    .WithTypeArgumentList(SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.ParseTypeName(resultType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation))));
            var predicate = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    SyntaxFactory.ObjectCreationExpression(builderType.WithAdditionalAnnotations(Simplifier.Annotation), SyntaxFactory.ArgumentList(), null),
                    SyntaxFactory.GenericName(SyntaxFactory.Identifier("Handle")).WithTypeArgumentList(SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.ParseTypeName("global::System.Exception").WithAdditionalAnnotations(Simplifier.Annotation))))),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(isTransient))));
            newRoot = unit.ReplaceNode(creation, InitializerSetter.Set(creation, "ShouldHandle", predicate));
            needsPolly = resultType is not null;
            needsSystem = true;
        }
        else
        {
            return null;
        }

        if (!UsingDirectives.IsImported(model, node.SpanStart, RuntimeContract.Namespace))
        {
            newRoot = UsingDirectives.Add(newRoot, RuntimeContract.Namespace);
        }

        if (needsSystem && !UsingDirectives.IsImported(model, node.SpanStart, "System"))
        {
            newRoot = UsingDirectives.Add(newRoot, "System");
        }

        if (needsPolly && !UsingDirectives.IsImported(model, node.SpanStart, "Polly"))
        {
            newRoot = UsingDirectives.Add(newRoot, "Polly");
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static bool IsHandle(InvocationExpressionSyntax invocation)
        => invocation is { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.ValueText: "Handle" or "Or" or "HandleInner" or "OrInner" } } };

    /// <summary><c>catch (Exception ex) when (SluiceResilience.IsTransient(ex) &amp;&amp; ...)</c>.</summary>
    private static CatchClauseSyntax FilterCatch(SemanticModel model, CatchClauseSyntax catchClause, ExpressionSyntax isTransient)
    {
        var declaration = catchClause.Declaration;
        var name = declaration?.Identifier.ValueText;
        if (string.IsNullOrEmpty(name))
        {
            name = LocalNames.Unique(model, catchClause, "ex", "exception");
            var type = declaration?.Type ?? SyntaxFactory.ParseTypeName("global::System.Exception").WithAdditionalAnnotations(Simplifier.Annotation);
            declaration = SyntaxFactory.CatchDeclaration(
                    SyntaxFactory.Token(default, SyntaxKind.OpenParenToken, default),
                    type.WithoutTrivia(),
                    SyntaxFactory.Identifier(default, name!, default).WithLeadingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.Token(default, SyntaxKind.CloseParenToken, default));
        }

        var check = SyntaxFactory.InvocationExpression(isTransient, SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(name!)))));
        ExpressionSyntax condition = catchClause.Filter is { FilterExpression: var existing }
            ? SyntaxFactory.BinaryExpression(
                SyntaxKind.LogicalAndExpression,
                check,
                existing is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } or ConditionalExpressionSyntax or AssignmentExpressionSyntax
                    ? SyntaxFactory.ParenthesizedExpression(existing.WithoutTrivia())
                    : existing.WithoutTrivia())
            : check;
        var trailing = catchClause.Filter?.GetTrailingTrivia() ?? (catchClause.Declaration is { } declared ? declared.GetTrailingTrivia() : catchClause.CatchKeyword.TrailingTrivia);
        var filter = SyntaxFactory.CatchFilterClause(
                SyntaxFactory.Token(default, SyntaxKind.WhenKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                SyntaxFactory.Token(default, SyntaxKind.OpenParenToken, default),
                condition,
                SyntaxFactory.Token(default, SyntaxKind.CloseParenToken, default))
            .WithTrailingTrivia(trailing);
        return catchClause
            .WithCatchKeyword(catchClause.CatchKeyword.WithTrailingTrivia(SyntaxFactory.Space))
            .WithDeclaration(declaration!.WithTrailingTrivia(SyntaxFactory.Space))
            .WithFilter(filter);
    }
}
