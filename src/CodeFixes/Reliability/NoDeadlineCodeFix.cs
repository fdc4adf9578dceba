using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
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
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU303. Where the member can reach a token through a context object or a base class (the diagnostic names it),
/// offered first: pass that token to the call. With the Sluice runtime referenced: every reported call of the method is wrapped in
/// <c>SluiceResilience.WithTimeoutAsync(timeout, ct =&gt; call(..., ct))</c>. In plain .NET: the async method gets one deadline —
/// <c>using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(n));</c> as its first statement — and passing
/// <c>deadline.Token</c> to every network or database call in it that had no token. The whole method is fixed at once:
/// once it owns a token source the analyzer is silent for it, so a call left without the token would be missed.
/// Offered only for an <c>async</c> method with a block body whose calls are all in that body (not in lambdas or local
/// functions, which may run after the method has disposed the source).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NoDeadlineCodeFix))]
[Shared]
public sealed class NoDeadlineCodeFix : CodeFixProvider
{
    internal const string DeadlineKey = RuleIds.NoDeadline + ".Deadline";
    internal const string WithTimeoutKey = RuleIds.NoDeadline + ".WithTimeoutAsync";
    internal const string ReachableTokenKey = RuleIds.NoDeadline + ".PassReachableToken";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.NoDeadline);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !DiagnosticProperties.TryGetSeconds(diagnostic, out var seconds))
        {
            return;
        }

        if (diagnostic.Properties.TryGetValue(NoDeadlineAnalyzer.TokenProperty, out var reachable) && reachable is not null
            && root.FindNode(context.Span, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation
            && PassReachableToken(invocation, model, reachable, context.CancellationToken) is { } passed)
        {
            context.RegisterCodeFix(
                CodeAction.Create($"Pass '{reachable}'", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(invocation, passed))), ReachableTokenKey),
                diagnostic);
        }

        if (root.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
        {
            return;
        }

        var name = method.Identifier.ValueText;
        var secondsText = seconds.ToString(CultureInfo.InvariantCulture);
        var settings = NoDeadlineAnalyzer.ReadSettings(context.Document.Project.AnalyzerOptions, root.SyntaxTree);
        foreach (var (key, title) in new[]
        {
            (WithTimeoutKey, $"Bound each call in '{name}' with SluiceResilience.WithTimeoutAsync ({secondsText} s)"),
            (DeadlineKey, $"Give '{name}' a {secondsText} s deadline and pass its token"),
        })
        {
            if (Rewrite(key, method, model, seconds, settings, context.CancellationToken) is { } rewritten)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(method, rewritten))), key),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// The call with the token the diagnostic names passed to it, provided that token binds at the call as a
    /// CancellationToken (a lambda's parameter may shadow the name) and the call then binds to the same method.
    /// </summary>
    private static InvocationExpressionSyntax? PassReachableToken(InvocationExpressionSyntax invocation, SemanticModel model, string reachable, CancellationToken cancellationToken)
    {
        if (Deadlines.TryCreate(KnownTypes.Of(model.Compilation)) is not { } types
            || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
            || invocation.Expression is MemberBindingExpressionSyntax)
        {
            return null;
        }

        var token = SyntaxFactory.ParseExpression(reachable);
        if (!types.IsToken(model.GetSpeculativeTypeInfo(invocation.SpanStart, token, SpeculativeBindingOption.BindAsExpression).Type))
        {
            return null;
        }

        var passed = PassToken(invocation, call, types, token);
        var bound = model.GetSpeculativeSymbolInfo(invocation.SpanStart, passed, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        return bound is not null && bound.Name == call.TargetMethod.Name ? passed.WithTriviaFrom(invocation) : null;
    }

    private static MethodDeclarationSyntax? Rewrite(string? key, MethodDeclarationSyntax method, SemanticModel model, int seconds, Deadlines.Settings settings, CancellationToken cancellationToken)
    {
        if (Deadlines.TryCreate(KnownTypes.Of(model.Compilation)) is not { } types
            || model.GetOperation(method, cancellationToken) is not { } operation
            || model.GetDeclaredSymbol(method, cancellationToken) is not { } member)
        {
            return null;
        }

        var calls = types.ReportedCalls(ImmutableArray.Create(operation), member, settings).ToList();
        if (calls.Count == 0)
        {
            return null;
        }

        return key == WithTimeoutKey
            ? WrapEachCall(method, model, types, calls, seconds)
            : AddDeadline(method, model, types, calls, seconds);
    }

    /// <summary>The plain .NET fix: one CancellationTokenSource with a timeout for the whole async method.</summary>
    private static MethodDeclarationSyntax? AddDeadline(MethodDeclarationSyntax method, SemanticModel model, Deadlines types, List<IInvocationOperation> calls, int seconds)
    {
        if (!method.Modifiers.Any(SyntaxKind.AsyncKeyword)
            || method.Body is not { } body
            || calls.Any(call => call.Syntax.Ancestors().FirstOrDefault(IsFunction) != method))
        {
            return null;
        }

        var name = LocalNames.Unique(model, body, "deadline");
        var token = SyntaxFactory.ParseExpression($"{name}.Token");
        var byNode = calls.ToDictionary(call => (InvocationExpressionSyntax)call.Syntax);
        var newBody = body.ReplaceNodes(byNode.Keys, (original, current) => PassToken(current, byNode[original], types, token));

        var source = SyntaxFactory.ObjectCreationExpression(
            FullNames.Type("System.Threading.CancellationTokenSource"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)))),
            initializer: null);
        var declaration = SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(source)))))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return method.WithBody(newBody.WithStatements(newBody.Statements.Insert(0, declaration)));
    }

    /// <summary>
    /// The runtime fix: each call becomes <c>SluiceResilience.WithTimeoutAsync(timeout, ct =&gt; call(..., ct))</c>, which
    /// returns the same Task, so it works in any method, awaited or not, and inside lambdas. Offered only when the runtime
    /// is referenced and every reported call returns a Task (all or nothing: a call left out would go unreported).
    /// </summary>
    private static MethodDeclarationSyntax? WrapEachCall(MethodDeclarationSyntax method, SemanticModel model, Deadlines types, List<IInvocationOperation> calls, int seconds)
    {
        var known = KnownTypes.Of(model.Compilation);
        var task = known.Task;
        var genericTask = known.GenericTask;
        var helper = known.SluiceResilience;
        // WithTimeoutAsync refuses a timeout above its limit: a longer deadline is the plain .NET fix's to write.
        if (helper is null || helper.GetMembers(RuntimeContract.Resilience.WithTimeoutAsync).IsEmpty
            || seconds > RuntimeContract.Resilience.MaxTimeoutSeconds
            || calls.Any(call => !SymbolEqualityComparer.Default.Equals(call.TargetMethod.ReturnType.OriginalDefinition, task)
                && !SymbolEqualityComparer.Default.Equals(call.TargetMethod.ReturnType.OriginalDefinition, genericTask))

            // 'client?.GetAsync(...)', 'holder?.Client.GetAsync(...)' have no receiver a lambda could call them on; the
            // deadline fix handles them.
            || calls.Any(call => call.Syntax is InvocationExpressionSyntax invocation && ConditionalAccess.IsReachedThrough(invocation.Expression))

            // A lambda in a struct cannot use the struct's own state (CS1673): a call on a field of it cannot be wrapped.
            || calls.Any(call => call.DescendantsAndSelf().Any(UsesStructState)))
        {
            return null;
        }

        var byNode = calls.ToDictionary(call => (InvocationExpressionSyntax)call.Syntax);
        return method.ReplaceNodes(byNode.Keys, (original, current) =>
        {
            var token = LocalNames.Unique(model, original, "ct");
            var lambda = SyntaxFactory.SimpleLambdaExpression(
                SyntaxFactory.Parameter(SyntaxFactory.Identifier(token)),
                PassToken(current.WithoutTrivia(), byNode[original], types, SyntaxFactory.IdentifierName(token)));
            return SyntaxFactory.InvocationExpression(
                    FullNames.Member(RuntimeContract.Resilience.TypeName, RuntimeContract.Resilience.WithTimeoutAsync),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList([SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)), SyntaxFactory.Argument(lambda)])))
                .WithTriviaFrom(current)
                .WithAdditionalAnnotations(Formatter.Annotation);
        });
    }

    /// <summary>
    /// Adds the token: by name when the method has a token parameter left at its default (it may not be last),
    /// otherwise as the extra last argument of the overload that takes one.
    /// </summary>
    private static InvocationExpressionSyntax PassToken(InvocationExpressionSyntax invocation, IInvocationOperation call, Deadlines types, ExpressionSyntax token)
    {
        var argument = call.TargetMethod.Parameters.FirstOrDefault(p => types.IsToken(p.Type)) is { } parameter
            ? SyntaxFactory.Argument(SyntaxFactory.NameColon(parameter.Name), default, token)
            : SyntaxFactory.Argument(token);

        // A call that passed CancellationToken.None or default gets the deadline's token in its place.
        var written = ((InvocationExpressionSyntax)call.Syntax).ArgumentList.Arguments;
        var placeholder = call.Arguments.FirstOrDefault(a => types.IsToken(a.Value.Type) && a.ArgumentKind != ArgumentKind.DefaultValue)?.Syntax;
        if (placeholder is ArgumentSyntax && written.IndexOf((ArgumentSyntax)placeholder) is var index and >= 0)
        {
            var arguments = invocation.ArgumentList.Arguments;
            return invocation.WithArgumentList(invocation.ArgumentList.WithArguments(arguments.Replace(arguments[index], arguments[index].WithExpression(token))));
        }

        return invocation.WithArgumentList(invocation.ArgumentList.AddArguments(argument));
    }

    /// <summary><c>this</c> (written or not) or a primary constructor parameter of a struct.</summary>
    private static bool UsesStructState(IOperation operation)
        => operation switch
        {
            IInstanceReferenceOperation reference => reference.Type?.IsValueType == true,
            IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } => constructor.ContainingType.IsValueType,
            _ => false,
        };

    private static bool IsFunction(SyntaxNode node)
        => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax;
}
