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

        if (PassToken(invocation, call, types, token) is not { } passed)
        {
            return null;
        }

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
        if (calls.Any(call => PassToken((InvocationExpressionSyntax)call.Syntax, call, types, token) is null))
        {
            return null;
        }

        var byNode = calls.ToDictionary(call => (InvocationExpressionSyntax)call.Syntax);
        var newBody = body.ReplaceNodes(byNode.Keys, (original, current) => PassToken(current, byNode[original], types, token)!);

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
            || calls.Any(call => call.DescendantsAndSelf().Any(UsesStructState))
            || calls.Any(call => PassToken((InvocationExpressionSyntax)call.Syntax, call, types, SyntaxFactory.IdentifierName("ct")) is null))
        {
            return null;
        }

        var byNode = calls.ToDictionary(call => (InvocationExpressionSyntax)call.Syntax);
        return method.ReplaceNodes(byNode.Keys, (original, current) =>
        {
            var token = LocalNames.Unique(model, original, "ct");
            var lambda = SyntaxFactory.SimpleLambdaExpression(
                SyntaxFactory.Parameter(SyntaxFactory.Identifier(token)),
                PassToken(current.WithoutTrivia(), byNode[original], types, SyntaxFactory.IdentifierName(token))!);
            return SyntaxFactory.InvocationExpression(
                    FullNames.Member(RuntimeContract.Resilience.TypeName, RuntimeContract.Resilience.WithTimeoutAsync),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList([SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)), SyntaxFactory.Argument(lambda)])))
                .WithTriviaFrom(current)
                .WithAdditionalAnnotations(Formatter.Annotation);
        });
    }

    /// <summary>
    /// Adds the token: by name when the method has a token parameter left at its default (it may not be last),
    /// otherwise as the extra last argument of the overload that takes one; for Dapper, in its CommandDefinition (see
    /// <see cref="PassDapperToken"/>). Null when the token cannot be passed.
    /// </summary>
    private static InvocationExpressionSyntax? PassToken(InvocationExpressionSyntax invocation, IInvocationOperation call, Deadlines types, ExpressionSyntax token)
    {
        if (types.IsDapper(call.TargetMethod))
        {
            return PassDapperToken(invocation, call, types, token);
        }

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

    /// <summary>Dapper's parameters that a CommandDefinition carries, with the name its constructor gives each.</summary>
    private static readonly Dictionary<string, string> DapperDefinitionParameters = new()
    {
        ["sql"] = "commandText",
        ["param"] = "parameters",
        ["transaction"] = "transaction",
        ["commandTimeout"] = "commandTimeout",
        ["commandType"] = "commandType",
    };

    /// <summary>
    /// Dapper takes a token only in a CommandDefinition. A definition written in the call gets <c>cancellationToken:</c>
    /// (in place of a <c>CancellationToken.None</c> or <c>default</c> it had); a call with the SQL and its options as
    /// arguments gets them moved into <c>new CommandDefinition(sql, parameters: ..., cancellationToken: token)</c>. Null
    /// for a definition made elsewhere and for a call with other arguments (a multi-mapping function, <c>splitOn</c>).
    /// </summary>
    private static InvocationExpressionSyntax? PassDapperToken(InvocationExpressionSyntax invocation, IInvocationOperation call, Deadlines types, ExpressionSyntax token)
    {
        var original = (InvocationExpressionSyntax)call.Syntax;
        var arguments = invocation.ArgumentList.Arguments;
        if (arguments.Count != original.ArgumentList.Arguments.Count)
        {
            return null;
        }

        if (call.TargetMethod.Parameters.Any(p => p.Type.Name == "CommandDefinition"))
        {
            if (types.DapperDefinition(call) is not { Syntax: BaseObjectCreationExpressionSyntax creation } definition
                || original.ArgumentList.Arguments.IndexOf(argument => argument.Expression == creation) is not (>= 0 and var index)
                || arguments[index].Expression is not BaseObjectCreationExpressionSyntax { ArgumentList: { } written } current)
            {
                return null;
            }

            var placeholder = definition.Arguments.FirstOrDefault(a => types.IsToken(a.Value.Type) && a.ArgumentKind != ArgumentKind.DefaultValue)?.Syntax as ArgumentSyntax;
            var placeholderIndex = placeholder is null ? -1 : creation.ArgumentList!.Arguments.IndexOf(placeholder);
            var withToken = placeholderIndex >= 0
                ? written.WithArguments(written.Arguments.Replace(written.Arguments[placeholderIndex], written.Arguments[placeholderIndex].WithExpression(token)))
                : written.AddArguments(SyntaxFactory.Argument(SyntaxFactory.NameColon("cancellationToken"), default, token));
            return invocation.WithArgumentList(invocation.ArgumentList.WithArguments(
                arguments.Replace(arguments[index], arguments[index].WithExpression(current.WithArgumentList(withToken)))));
        }

        var kept = new List<ArgumentSyntax>();
        var carried = new List<ArgumentSyntax>();
        ExpressionSyntax? sql = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            var parameter = call.Arguments.FirstOrDefault(a => a.Syntax == original.ArgumentList.Arguments[i])?.Parameter;
            if (parameter is null)
            {
                return null;
            }

            if (parameter.Name == "sql")
            {
                sql = arguments[i].Expression;
            }
            else if (DapperDefinitionParameters.TryGetValue(parameter.Name, out var name))
            {
                carried.Add(SyntaxFactory.Argument(SyntaxFactory.NameColon(name), default, arguments[i].Expression));
            }
            else if (parameter.Ordinal == 0 || parameter.Name == "type")
            {
                kept.Add(arguments[i]);
            }
            else
            {
                return null;
            }
        }

        if (sql is null)
        {
            return null;
        }

        var definitionArguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(sql) };
        definitionArguments.AddRange(carried);
        definitionArguments.Add(SyntaxFactory.Argument(SyntaxFactory.NameColon("cancellationToken"), default, token));
        var newDefinition = SyntaxFactory.ObjectCreationExpression(
            FullNames.Type("Dapper.CommandDefinition"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(definitionArguments)),
            initializer: null);
        kept.Add(SyntaxFactory.Argument(newDefinition));
        return invocation.WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(kept)));
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
