using System.Collections.Generic;
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
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Idempotency;

/// <summary>
/// Fixes SLU401's HTTP findings when the Sluice runtime is referenced, with a key from
/// <c>IdempotencyKey.For("Type.Member", record.Id)</c> — the record being the one value from outside the retried code that
/// the request's content (or the request) is built from and that has an <c>Id</c>, <c>{Type}Id</c> or <c>Key</c>
/// property, so every attempt sends the same key and different records send different keys:
/// <list type="bullet">
/// <item><c>client.PostAsync(uri, content, ct)</c> / <c>PatchAsync</c> becomes
/// <c>client.PostWithIdempotencyKeyAsync(uri, content, key, ct)</c> / <c>PatchWithIdempotencyKeyAsync</c>;</item>
/// <item><c>client.SendAsync(request, ct)</c> of a POST/PATCH request local gets
/// <c>request.Headers.Add(IdempotencyKey.HeaderName, key);</c> after the request's declaration.</item>
/// </list>
/// SQL, EF Core and file appends have no fix: the change (an upsert, a key, a whole-file write) needs knowledge of the
/// schema or the file that the code does not show.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NonIdempotentWriteInRetryCodeFix))]
[Shared]
public sealed class NonIdempotentWriteInRetryCodeFix : CodeFixProvider
{
    internal const string WithIdempotencyKeyKey = RuleIds.NonIdempotentWriteInRetry + ".WithIdempotencyKey";
    internal const string IdempotencyKeyHeaderKey = RuleIds.NonIdempotentWriteInRetry + ".IdempotencyKeyHeader";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.NonIdempotentWriteInRetry);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
            || model is null
            || !diagnostic.Properties.TryGetValue(WriteKinds.Property, out var kind))
        {
            return;
        }

        var key = kind switch
        {
            WriteKinds.HttpPostOrPatch => WithIdempotencyKeyKey,
            WriteKinds.HttpSend => IdempotencyKeyHeaderKey,
            _ => null,
        };
        if (key is null || Plan(model, call, key, context.CancellationToken) is not { } plan)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                plan.Title,
                async token => await ApplyAsync(context.Document, call, key, token).ConfigureAwait(false) ?? context.Document,
                key),
            diagnostic);
    }

    private static async Task<Document?> ApplyAsync(Document document, InvocationExpressionSyntax call, string? key, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax?)await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || key is null || Plan(model, call, key, cancellationToken) is not { } plan)
        {
            return null;
        }

        var newRoot = (CompilationUnitSyntax)plan.Apply(root);
        if (!UsingDirectives.IsImported(model, call.SpanStart, RuntimeContract.Namespace))
        {
            newRoot = UsingDirectives.Add(newRoot, RuntimeContract.Namespace);
        }

        return document.WithSyntaxRoot(newRoot);
    }

    /// <summary>What the fix with <paramref name="key"/> would do to <paramref name="call"/>, or null when it has no sound form.</summary>
    private static FixPlan? Plan(SemanticModel model, InvocationExpressionSyntax call, string key, CancellationToken cancellationToken)
    {
        if (KnownTypes.Of(model.Compilation).IdempotencyKey is null
            || KnownTypes.Of(model.Compilation).SluiceHttpClientExtensions is not { } extensions
            || model.GetOperation(call, cancellationToken) is not IInvocationOperation operation
            || RetryScopes.TryCreate(KnownTypes.Of(model.Compilation))?.Enclosing(operation) is not { } scope)
        {
            return null;
        }

        return key switch
        {
            WithIdempotencyKeyKey => PlanPostOrPatch(model, call, operation, scope, extensions),
            IdempotencyKeyHeaderKey => PlanHeader(model, operation, scope),
            _ => null,
        };
    }

    /// <summary><c>client.PostAsync(uri, content, ct)</c> → <c>client.PostWithIdempotencyKeyAsync(uri, content, key, ct)</c>.</summary>
    private static FixPlan? PlanPostOrPatch(SemanticModel model, InvocationExpressionSyntax call, IInvocationOperation operation, RetryScope scope, INamedTypeSymbol extensions)
    {
        var method = operation.TargetMethod;
        if (method.Name is not ("PostAsync" or "PatchAsync")
            || call.Expression is not MemberAccessExpressionSyntax member
            || operation.Instance is null
            || Argument(operation, "requestUri") is not { } uri
            || uri.Value.Type?.SpecialType != SpecialType.System_String
            || Argument(operation, "content") is not { } content
            || RecordKey(model, content.Value, scope, operation) is not { } record)
        {
            return null;
        }

        var newName = method.Name == "PostAsync" ? RuntimeContract.Idempotency.PostWithIdempotencyKeyAsync : RuntimeContract.Idempotency.PatchWithIdempotencyKeyAsync;
        var keyExpression = KeyExpression(model, record, operation);
        var arguments = new List<ArgumentSyntax>
        {
            SyntaxFactory.Argument(((ArgumentSyntax)uri.Syntax).Expression),
            SyntaxFactory.Argument(((ArgumentSyntax)content.Syntax).Expression),
            SyntaxFactory.Argument(keyExpression),
        };
        if (Argument(operation, "cancellationToken") is { Syntax: ArgumentSyntax token })
        {
            arguments.Add(SyntaxFactory.Argument(token.Expression));
        }

        // Bound in its static form, which needs no using, to check the overload before offering it. A client reached
        // through a conditional access ('holder?.Client.PostAsync(...)') cannot be bound on its own: a value of its type
        // stands in for it.
        var receiver = ConditionalAccess.IsReachedThrough(member.Expression)
            ? SyntaxFactory.DefaultExpression(SyntaxFactory.ParseTypeName(operation.Instance.Type!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
            : member.Expression.WithoutTrivia();
        var staticForm = SyntaxFactory.InvocationExpression(
            FullNames.Member(RuntimeContract.Idempotency.HttpClientExtensionsTypeName, newName),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments.Prepend(SyntaxFactory.Argument(receiver)))));
        var bound = model.GetSpeculativeSymbolInfo(call.SpanStart, staticForm, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        if (bound is null || !SymbolEqualityComparer.Default.Equals(bound.ContainingType, extensions))
        {
            return null;
        }

        var rewritten = call
            .WithExpression(member.WithName(SyntaxFactory.IdentifierName(newName)))
            .WithArgumentList(call.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(arguments)))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return new FixPlan(
            $"Send with an Idempotency-Key derived from '{record.Display}' ({newName})",
            root => root.ReplaceNode(call, rewritten));
    }

    /// <summary><c>request.Headers.Add(IdempotencyKey.HeaderName, key);</c> after the POST/PATCH request's declaration.</summary>
    private static FixPlan? PlanHeader(SemanticModel model, IInvocationOperation operation, RetryScope scope)
    {
        if (Argument(operation, "request")?.Value.WalkDownConversion() is not ILocalReferenceOperation { Local: var request }
            || LocalValues.OnlyDeclarator(request, operation.Root()) is not { Initializer: { } initializer } declarator
            || declarator.Syntax.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is not { Parent: BlockSyntax block, Declaration.Variables.Count: 1 } declaration
            || RecordKey(model, initializer.Value, scope, operation) is not { } record)
        {
            return null;
        }

        var add = SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(request.Name), SyntaxFactory.IdentifierName("Headers")),
                    SyntaxFactory.IdentifierName("Add")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
                [
                    SyntaxFactory.Argument(FullNames.Member(RuntimeContract.Idempotency.KeyTypeName, RuntimeContract.Idempotency.HeaderNameField)),
                    SyntaxFactory.Argument(KeyExpression(model, record, operation)),
                ]))))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return new FixPlan(
            $"Set an Idempotency-Key header on '{request.Name}' derived from '{record.Display}'",
            root => root.ReplaceNode(block, block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(declaration) + 1, add))));
    }

    private static IArgumentOperation? Argument(IInvocationOperation call, string parameterName)
        => call.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameterName && a.ArgumentKind == ArgumentKind.Explicit);

    /// <summary>
    /// The record the key is derived from: the one local or parameter, declared outside the retried code, that
    /// <paramref name="builtFrom"/> (or the local it reads) references and whose type has an <c>Id</c>, <c>{Type}Id</c>
    /// or <c>Key</c> property of type string, int, long or Guid. Null when there is none or more than one.
    /// </summary>
    private static RecordKeySource? RecordKey(SemanticModel model, IOperation builtFrom, RetryScope scope, IOperation write)
    {
        var operations = builtFrom.DescendantsAndSelf().ToList();
        foreach (var local in operations.OfType<ILocalReferenceOperation>().ToList())
        {
            if (LocalValues.OnlyDeclarator(local.Local, write.Root())?.Initializer is { } initializer)
            {
                operations.AddRange(initializer.Value.DescendantsAndSelf());
            }
        }

        var scopeSpan = scope.Body.Syntax.Span;
        var candidates = operations
            .Select(o => o switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            })
            .Where(symbol => symbol is not null && symbol.DeclaringSyntaxReferences.All(r => !scopeSpan.Contains(r.Span)))
            .Distinct(SymbolEqualityComparer.Default)
            .Select(symbol => KeyProperty(symbol!) is { } property ? new RecordKeySource(symbol!, property) : null)
            .Where(source => source is not null)
            .ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    private static IPropertySymbol? KeyProperty(ISymbol symbol)
    {
        var type = symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named
            || named.SpecialType != SpecialType.None
            || named.ContainingNamespace?.ToDisplayString().StartsWith("System", System.StringComparison.Ordinal) == true)
        {
            return null;
        }

        foreach (var name in new[] { "Id", named.Name + "Id", "Key" })
        {
            var property = named.GetMembers(name).OfType<IPropertySymbol>()
                .FirstOrDefault(p => !p.IsStatic && p.GetMethod is { DeclaredAccessibility: Accessibility.Public } && IsKeyType(p.Type));
            if (property is not null)
            {
                return property;
            }
        }

        return null;
    }

    private static bool IsKeyType(ITypeSymbol type)
        => type.SpecialType is SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64
            || type is { Name: "Guid", ContainingNamespace.Name: "System" };

    /// <summary><c>IdempotencyKey.For("Type.Member", record.Id.ToString(CultureInfo.InvariantCulture))</c>.</summary>
    private static InvocationExpressionSyntax KeyExpression(SemanticModel model, RecordKeySource record, IOperation write)
    {
        ExpressionSyntax value = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(record.Symbol.Name), SyntaxFactory.IdentifierName(record.Property.Name));
        if (record.Property.Type.SpecialType != SpecialType.System_String)
        {
            var arguments = record.Property.Type.SpecialType == SpecialType.None
                ? SyntaxFactory.ArgumentList()
                : SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                    FullNames.Member("System.Globalization.CultureInfo", "InvariantCulture"))));
            value = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, value, SyntaxFactory.IdentifierName("ToString")),
                arguments);
        }

        var member = model.GetEnclosingSymbol(write.Syntax.SpanStart);
        while (member is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
        {
            member = member.ContainingSymbol;
        }

        var operationName = $"{member?.ContainingType?.Name}.{member?.Name}";
        return SyntaxFactory.InvocationExpression(
            FullNames.Member(RuntimeContract.Idempotency.KeyTypeName, RuntimeContract.Idempotency.For),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
            [
                SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(operationName))),
                SyntaxFactory.Argument(value),
            ])));
    }

    private sealed class RecordKeySource(ISymbol symbol, IPropertySymbol property)
    {
        public ISymbol Symbol { get; } = symbol;

        public IPropertySymbol Property { get; } = property;

        public string Display => $"{Symbol.Name}.{Property.Name}";
    }

    private sealed class FixPlan(string title, System.Func<SyntaxNode, SyntaxNode> apply)
    {
        public string Title { get; } = title;

        public SyntaxNode Apply(SyntaxNode root) => apply(root);
    }
}
