using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Reliability;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU301 by replacing the infinite value with the configured finite timeout, in the unit the API takes.
/// A wait whose bool result was discarded is also checked (<c>if (!wait) throw new TimeoutException(...)</c>), so it
/// cannot carry on as if it had succeeded. No fix for <c>Task.Delay(Timeout.Infinite)</c>: a finite delay would let
/// the code after it run, which no rewrite can keep; the docs page shows the manual change.
/// </summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(InfiniteTimeoutCodeFix))]
[Shared]
public sealed class InfiniteTimeoutCodeFix : CodeFixProvider
{
    internal const string FiniteTimeoutKey = RuleIds.InfiniteTimeout + ".FiniteTimeout";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.InfiniteTimeout);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var properties = diagnostic.Properties;
        if (properties[InfiniteTimeoutAnalyzer.KindProperty] == InfiniteTimeoutAnalyzer.Kinds.Delay
            || !DiagnosticProperties.TryGetSeconds(diagnostic, out var seconds)
            || properties[InfiniteTimeoutAnalyzer.UnitProperty] is not { } unit)
        {
            return;
        }

        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root?.FindNode(context.Span);
        var value = node switch
        {
            AssignmentExpressionSyntax assignment => assignment.Right,
            ArgumentSyntax argument => argument.Expression,
            _ => null,
        };
        if (root is null || value is null)
        {
            return;
        }

        var replacement = unit switch
        {
            InfiniteTimeoutAnalyzer.Units.TimeSpan => TimeoutSyntax.FromSeconds(seconds),
            InfiniteTimeoutAnalyzer.Units.Milliseconds => TimeoutSyntax.Number(seconds * 1000),
            _ => TimeoutSyntax.Number(seconds),
        };
        var newValue = replacement.WithTriviaFrom(value);
        var title = $"Use a finite timeout ({seconds.ToString(CultureInfo.InvariantCulture)} s)";

        // A wait returning bool: the result must be checked, or a timeout would pass for success.
        if (properties[InfiniteTimeoutAnalyzer.KindProperty] == InfiniteTimeoutAnalyzer.Kinds.Wait
            && value.Parent?.Parent?.Parent is InvocationExpressionSyntax invocation)
        {
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model?.GetOperation(invocation, context.CancellationToken) is not IInvocationOperation operation)
            {
                return;
            }

            var returnType = operation.TargetMethod.ReturnType;
            var returnsResult = returnType.SpecialType is SpecialType.System_Boolean or SpecialType.System_Int32;

            // The result of 'await semaphore.WaitAsync(...)' (through ConfigureAwait) is the awaited bool; a task that
            // is kept rather than awaited leaves the check to whoever awaits it.
            IOperation result = operation;
            if (returnType is INamedTypeSymbol { Name: "Task" or "ValueTask", TypeArguments.Length: 1 } task
                && task.TypeArguments[0].SpecialType == SpecialType.System_Boolean)
            {
                if (result.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configured && configured.Instance == result)
                {
                    result = configured;
                }

                if (result.Parent is IAwaitOperation awaited)
                {
                    result = awaited;
                    returnsResult = true;
                }
            }

            // 'semaphore?.Wait(...);' discards a bool? that no check can negate.
            var consumer = result.Parent;
            while (consumer is IConditionalAccessOperation)
            {
                consumer = consumer.Parent;
            }

            if (returnsResult && result.Syntax is ExpressionSyntax { Parent: ExpressionStatementSyntax statement } resultSyntax)
            {
                var what = $"{operation.TargetMethod.ContainingType.Name}.{operation.TargetMethod.Name}";
                var bounded = resultSyntax.ReplaceNode(value, newValue);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        title + " and throw TimeoutException when it elapses",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(
                            statement,
                            TimeoutSyntax.ThrowIfTimedOut(statement, bounded, TimeoutSyntax.TimedOutIndex(operation.TargetMethod), what, seconds)))),
                        FiniteTimeoutKey),
                    diagnostic);
                return;
            }

            if (returnsResult && consumer is IExpressionStatementOperation)
            {
                // The result is discarded where no check can be added (an expression-bodied lambda or member, a
                // conditional access).
                return;
            }
        }

        context.RegisterCodeFix(
            CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(value, newValue))), FiniteTimeoutKey),
            diagnostic);
    }

}
