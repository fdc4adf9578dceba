using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU302, in order of preference:
/// <list type="number">
/// <item>in async code, await the asynchronous form with a timeout (<c>await task.WaitAsync(timeout, token)</c>,
/// <c>await Task.WhenAll(...).WaitAsync(...)</c>, <c>if (!await semaphore.WaitAsync(...)) throw ...</c>);</item>
/// <item>the timeout overload, with its result checked so a timeout throws <c>TimeoutException</c>
/// (only where the wait is a statement of its own: its void result was discarded);</item>
/// <item>the CancellationToken overload, when a token is in scope.</item>
/// </list>
/// Every rewritten call is bound speculatively first: a fix that would not compile is not offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingWaitCodeFix))]
[Shared]
public sealed class BlockingWaitCodeFix : CodeFixProvider
{
    internal const string AwaitKey = RuleIds.BlockingWaitWithoutTimeout + ".Await";
    internal const string TimeoutKey = RuleIds.BlockingWaitWithoutTimeout + ".Timeout";
    internal const string TokenKey = RuleIds.BlockingWaitWithoutTimeout + ".PassToken";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.BlockingWaitWithoutTimeout);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!DiagnosticProperties.TryGetSeconds(diagnostic, out var seconds))
        {
            return;
        }

        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        var node = root.FindNode(context.Span, getInnermostNodeForTie: true);
        if (node is ExpressionSyntax read
            && model.GetOperation(read, context.CancellationToken) is { } readOperation
            && WaitBounds.TaskWhoseResultIsRead(readOperation, KnownTypes.Of(model.Compilation)) is not null)
        {
            RegisterResultFix(context, diagnostic, root, model, read, seconds);
            return;
        }

        if (node is not InvocationExpressionSyntax invocation
            || model.GetOperation(invocation, context.CancellationToken) is not IInvocationOperation operation)
        {
            return;
        }

        var method = operation.TargetMethod;
        var what = $"{method.ContainingType.Name}.{method.Name}";
        var statement = invocation.Parent as ExpressionStatementSyntax;
        var tokenType = KnownTypes.Of(model.Compilation).CancellationToken;
        var token = tokenType is null
            ? null
            : SymbolsInScope.FindUsable(model, invocation.SpanStart, type => SymbolEqualityComparer.Default.Equals(type, tokenType));
        var tokenExpression = token is null ? null : SyntaxFactory.IdentifierName(token.Name);

        void Register(string title, SyntaxNode replaced, SyntaxNode replacement, string key)
            => context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(replaced, replacement))), key),
                diagnostic);

        if (statement is not null && AsyncContext.CanAwait(invocation) && AwaitForm(model, operation, invocation, seconds, tokenExpression, what, statement) is { } awaited)
        {
            Register($"Await {AwaitedName(method)} with a {seconds} s timeout", statement, awaited, AwaitKey);
        }

        // BlockingCollection.Take returns the item; its bounded form (TryTake) is a different shape, left to the token fix.
        if (statement is not null
            && method.Name != "Take"
            && WithExtraArgument(model, operation, invocation, TimeoutSyntax.FromSeconds(seconds), IsTimeSpan) is { } bounded)
        {
            Register(
                $"Wait at most {seconds} s and throw TimeoutException when it elapses",
                statement,
                TimeoutSyntax.ThrowIfTimedOut(statement, bounded, TimeoutSyntax.TimedOutIndex(method), what, seconds),
                TimeoutKey);
        }

        if (tokenExpression is not null
            && WithExtraArgument(model, operation, invocation, tokenExpression, type => SymbolEqualityComparer.Default.Equals(type, tokenType)) is { } cancellable)
        {
            Register($"Pass '{token!.Name}' so the wait can be cancelled", invocation, cancellable.WithTriviaFrom(invocation), TokenKey);
        }
    }

    /// <summary>
    /// <c>task.Result</c> or <c>task.GetAwaiter().GetResult()</c> in async code: <c>await task.WaitAsync(timeout, token)</c>,
    /// keeping a <c>ConfigureAwait</c>. Its result is the same value (an exception is thrown as itself rather than
    /// wrapped in an AggregateException). Not offered in sync code, where the blocking read has no bounded form that
    /// keeps its value, nor for a read reached through a conditional access.
    /// </summary>
    private static void RegisterResultFix(CodeFixContext context, Diagnostic diagnostic, SyntaxNode root, SemanticModel model, ExpressionSyntax read, int seconds)
    {
        var types = KnownTypes.Of(model.Compilation);
        if (!AsyncContext.CanAwait(read) || types.Task is not { } task || task.GetMembers("WaitAsync").IsEmpty)
        {
            return;
        }

        ExpressionSyntax? waited = null;
        ArgumentListSyntax? configureAwait = null;
        if (read is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result)
        {
            waited = result.Expression;
        }
        else if (read is InvocationExpressionSyntax
        {
            Expression: MemberAccessExpressionSyntax
            {
                Name.Identifier.ValueText: "GetResult",
                Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAwaiter" } getAwaiter },
            },
        })
        {
            waited = getAwaiter.Expression;
            if (waited is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure } configured)
            {
                waited = configure.Expression;
                configureAwait = configured.ArgumentList;
            }
        }

        if (waited is null)
        {
            return;
        }

        var tokenType = types.CancellationToken;
        var token = tokenType is null
            ? null
            : SymbolsInScope.FindUsable(model, read.SpanStart, type => SymbolEqualityComparer.Default.Equals(type, tokenType));
        var arguments = token is null
            ? SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)))
            : SyntaxFactory.SeparatedList([SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)), SyntaxFactory.Argument(SyntaxFactory.IdentifierName(token.Name))]);
        ExpressionSyntax bounded = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, waited.WithoutTrivia(), SyntaxFactory.IdentifierName("WaitAsync")),
            SyntaxFactory.ArgumentList(arguments));
        if (configureAwait is not null)
        {
            bounded = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, bounded, SyntaxFactory.IdentifierName("ConfigureAwait")),
                configureAwait.WithoutTrivia());
        }

        ExpressionSyntax awaited = SyntaxFactory.AwaitExpression(bounded);
        if (read.Parent is not ExpressionStatementSyntax)
        {
            awaited = SyntaxFactory.ParenthesizedExpression(awaited).WithAdditionalAnnotations(Simplifier.Annotation);
        }

        awaited = awaited.WithTriviaFrom(read);
        var what = read is MemberAccessExpressionSyntax ? "Task.Result" : "Task.GetAwaiter().GetResult()";
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Await Task.WaitAsync with a {seconds} s timeout in place of {what}",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(read, awaited))),
                AwaitKey),
            diagnostic);
    }

    private static bool IsTimeSpan(ITypeSymbol type) => type is { Name: "TimeSpan", ContainingNamespace.Name: "System" };

    /// <summary>
    /// The same call with one more argument of the wanted type, provided the new argument list binds to an overload of
    /// the same method whose last parameter has that type. A params call (<c>Task.WaitAll(a, b)</c>) gets its
    /// elements wrapped in an array first, since the overloads with more parameters take an array.
    /// </summary>
    private static InvocationExpressionSyntax? WithExtraArgument(
        SemanticModel model,
        IInvocationOperation operation,
        InvocationExpressionSyntax invocation,
        ExpressionSyntax extra,
        System.Func<ITypeSymbol, bool> lastParameterIs)
    {
        var arguments = new List<ArgumentSyntax>();
        foreach (var argument in operation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? int.MaxValue))
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            // Task.WaitAll(a, b) binds to a params array, or (C# 13) a params ReadOnlySpan<Task>.
            if (argument.Parameter is { IsParams: true } parameter && argument.Syntax is not ArgumentSyntax)
            {
                var elements = invocation.ArgumentList.Arguments.Skip(parameter.Ordinal).Select(a => a.Expression).ToList();
                var elementType = parameter.Type switch
                {
                    IArrayTypeSymbol array => array.ElementType,
                    INamedTypeSymbol { TypeArguments.Length: 1 } span => span.TypeArguments[0],
                    _ => null,
                };
                if (elementType is null)
                {
                    return null;
                }

                var elementTypeName = SyntaxFactory.ParseTypeName(elementType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
                    .WithAdditionalAnnotations(Simplifier.Annotation);
                arguments.Add(SyntaxFactory.Argument(SyntaxFactory.ArrayCreationExpression(
                    SyntaxFactory.ArrayType(elementTypeName, SyntaxFactory.SingletonList(SyntaxFactory.ArrayRankSpecifier(
                        SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(SyntaxFactory.OmittedArraySizeExpression())))),
                    SyntaxFactory.InitializerExpression(SyntaxKind.ArrayInitializerExpression, SyntaxFactory.SeparatedList(elements)))));
                continue;
            }

            if (argument.Syntax is not ArgumentSyntax written)
            {
                return null;
            }

            arguments.Add(SyntaxFactory.Argument(written.Expression));
        }

        arguments.Add(SyntaxFactory.Argument(extra));
        var candidate = invocation.WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)).WithTriviaFrom(invocation.ArgumentList));

        // 'task?.Wait()', 'holder?.Gate.Wait()', 'holder?.Pending?.Wait()': '.Wait(token)' cannot be bound on its own, so the
        // overload is checked on a receiver of the same type: 'default(Task).Wait(token)'.
        ExpressionSyntax probe = candidate;
        var position = invocation.SpanStart;
        if (ConditionalAccess.IsReachedThrough(invocation.Expression))
        {
            var name = invocation.Expression switch
            {
                MemberAccessExpressionSyntax access => access.Name,
                MemberBindingExpressionSyntax binding => binding.Name,
                _ => null,
            };
            if (name is null || operation.Instance?.Type is not { } receiverType)
            {
                return null;
            }

            var receiver = SyntaxFactory.DefaultExpression(SyntaxFactory.ParseTypeName(receiverType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
            probe = candidate.WithExpression(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, name.WithoutTrivia()));
            position = invocation.Ancestors()
                .TakeWhile(node => node is ExpressionSyntax and not AnonymousFunctionExpressionSyntax)
                .OfType<ConditionalAccessExpressionSyntax>()
                .LastOrDefault()?.SpanStart ?? position;
        }

        var bound = model.GetSpeculativeSymbolInfo(position, probe, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        var matches = bound is { Parameters.Length: > 0 }
            && bound.Name == operation.TargetMethod.Name
            && SymbolEqualityComparer.Default.Equals(bound.ContainingType.OriginalDefinition, operation.TargetMethod.ContainingType.OriginalDefinition)
            && lastParameterIs(bound.Parameters[bound.Parameters.Length - 1].Type);
        return matches ? candidate : null;
    }

    /// <summary>The awaitable replacement of a statement-level wait, for the waits that have one.</summary>
    private static StatementSyntax? AwaitForm(
        SemanticModel model,
        IInvocationOperation operation,
        InvocationExpressionSyntax invocation,
        int seconds,
        ExpressionSyntax? token,
        string what,
        ExpressionStatementSyntax statement)
    {
        var method = operation.TargetMethod;
        var task = KnownTypes.Of(model.Compilation).Task;
        if (task is null || task.GetMembers("WaitAsync").IsEmpty)
        {
            return null;
        }

        var waitAsyncArguments = SyntaxFactory.ArgumentList(token is null
            ? SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)))
            : SyntaxFactory.SeparatedList([SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)), SyntaxFactory.Argument(token)]));
        var receiver = (invocation.Expression as MemberAccessExpressionSyntax)?.Expression;
        ExpressionSyntax? waited = (method.ContainingType.Name, method.Name, method.IsStatic) switch
        {
            ("Task", "Wait", false) or ("SemaphoreSlim", "Wait", false) => receiver,
            ("Task", "WaitAll", true) => SyntaxFactory.InvocationExpression(
                FullNames.Member("System.Threading.Tasks.Task", "WhenAll"), invocation.ArgumentList.WithoutTrivia()),
            _ => null,
        };
        if (waited is null)
        {
            return null;
        }

        var awaitExpression = SyntaxFactory.AwaitExpression(SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, waited.WithoutTrivia(), SyntaxFactory.IdentifierName("WaitAsync")),
            waitAsyncArguments));
        if (method.Name == "Wait" && method.ContainingType.Name == "SemaphoreSlim")
        {
            // SemaphoreSlim.WaitAsync(timeout) returns false on timeout instead of throwing.
            return TimeoutSyntax.ThrowIfTimedOut(statement, awaitExpression, timeoutIndex: null, what, seconds);
        }

        return statement.WithExpression(awaitExpression).WithAdditionalAnnotations(Formatter.Annotation);
    }

    private static string AwaitedName(IMethodSymbol method)
        => method.Name == "WaitAll" ? "Task.WhenAll(...).WaitAsync" : $"{method.ContainingType.Name}.WaitAsync";
}
