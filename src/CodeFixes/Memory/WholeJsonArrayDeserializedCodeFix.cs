using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
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
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU105 when the array is read from a stream, the code can await, and the list is only iterated once by a
/// <c>foreach</c> (directly, or through a local declared just before the loop and used nowhere else):
/// <c>await foreach (var x in JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;(stream, options, token))</c>. The options and
/// token are kept. Not offered for a string source, for the <c>JsonTypeInfo</c> overloads (the element's type info is
/// not at hand), or when the list escapes.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WholeJsonArrayDeserializedCodeFix))]
[Shared]
public sealed class WholeJsonArrayDeserializedCodeFix : CodeFixProvider
{
    internal const string StreamKey = RuleIds.WholeJsonArrayDeserialized + ".DeserializeAsyncEnumerable";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.WholeJsonArrayDeserialized);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation
            && await FixAsync(context.Document, invocation, diagnostic, StreamKey, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Stream the array with JsonSerializer.DeserializeAsyncEnumerable", _ => Task.FromResult(fixedDocument), StreamKey),
                diagnostic);
        }
    }

    private static async Task<Document?> FixAsync(Document document, InvocationExpressionSyntax invocation, Diagnostic diagnostic, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var types = model is null ? null : KnownTypes.Of(model.Compilation);
        if (key == StreamKey
            && root is not null
            && model is not null
            && types is not null
            && model.GetOperation(invocation, cancellationToken) is IInvocationOperation collect
            && JsonArrays.CollectedAsyncEnumerable(collect, types) is not null)
        {
            // DeserializeAsyncEnumerable(stream).ToListAsync(token) then a foreach: the loop goes through the stream itself.
            return CollectedStream.Fix(document, root, model, invocation, cancellationToken);
        }

        if (key != StreamKey
            || root is not CompilationUnitSyntax unit
            || model is null || types?.JsonSerializer is not { } serializer
            || serializer.GetMembers("DeserializeAsyncEnumerable").IsEmpty
            || invocation.Expression is not MemberAccessExpressionSyntax access
            || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
            || JsonArrays.ElementOfDeserializedList(call, types) is not { } element
            || call.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String
            || Arguments(call) is not { } arguments)
        {
            return null;
        }

        // await JsonSerializer.DeserializeAsync<List<T>>(stream)  (through ConfigureAwait and a null check), or a
        // synchronous Deserialize where the code can await.
        ExpressionSyntax value = invocation;
        ArgumentListSyntax? configureAwait = null;
        if (call.TargetMethod.Name == "DeserializeAsync")
        {
            if (invocation.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured } member
                && member.Expression == invocation)
            {
                configureAwait = configured.ArgumentList;
                value = configured;
            }

            if (value.Parent is not AwaitExpressionSyntax awaited)
            {
                return null;
            }

            value = awaited;
        }
        else if (!AsyncContext.CanAwait(invocation))
        {
            return null;
        }

        value = WithoutNullHandling(value);
        if (StreamingLoop.Find(model, value, cancellationToken) is not { } loop)
        {
            return null;
        }

        var elementType = SyntaxFactory.ParseTypeName(element.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .WithAdditionalAnnotations(Simplifier.Annotation);
        ExpressionSyntax streamed = SyntaxFactory.InvocationExpression(
            access.WithName(SyntaxFactory.GenericName(SyntaxFactory.Identifier("DeserializeAsyncEnumerable"), SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(elementType)))),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
        if (configureAwait is not null)
        {
            streamed = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, streamed, SyntaxFactory.IdentifierName("ConfigureAwait")),
                configureAwait.WithoutTrivia());
        }

        var newRoot = (CompilationUnitSyntax)loop.ReplaceIn(unit, loop.Over(streamed, awaitEach: true).WithAdditionalAnnotations(Formatter.Annotation));
        if (configureAwait is not null && !UsingDirectives.IsImported(model, invocation.SpanStart, "System.Threading.Tasks"))
        {
            newRoot = UsingDirectives.Add(newRoot, "System.Threading.Tasks");
        }

        return document.WithSyntaxRoot(newRoot);
    }

    /// <summary>The stream, the options (when given) and the token (when given), or null for the JsonTypeInfo overloads.</summary>
    private static List<ArgumentSyntax>? Arguments(IInvocationOperation call)
    {
        ExpressionSyntax? input = null, options = null, token = null;
        foreach (var argument in call.Arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Syntax is not ArgumentSyntax written)
            {
                continue;
            }

            switch (argument.Parameter?.Type)
            {
                case { Name: "Stream" }:
                    input = written.Expression;
                    break;
                case { Name: "JsonSerializerOptions" }:
                    options = written.Expression;
                    break;
                case { Name: "CancellationToken" }:
                    token = written.Expression;
                    break;
                default:
                    return null;
            }
        }

        if (input is null)
        {
            return null;
        }

        var arguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(input.WithoutTrivia()) };
        if (options is not null)
        {
            arguments.Add(SyntaxFactory.Argument(options.WithoutTrivia()));
        }

        if (token is not null)
        {
            arguments.Add(options is null
                ? SyntaxFactory.Argument(SyntaxFactory.NameColon("cancellationToken"), default, token.WithoutTrivia())
                : SyntaxFactory.Argument(token.WithoutTrivia()));
        }

        return arguments;
    }

    /// <summary>
    /// <c>value!</c> and <c>value ?? []</c> (or <c>?? new List&lt;T&gt;()</c>, <c>?? Array.Empty&lt;T&gt;()</c>): a JSON <c>null</c>
    /// then meant no elements, which is what the stream yields for it too.
    /// </summary>
    private static ExpressionSyntax WithoutNullHandling(ExpressionSyntax value)
    {
        var current = value;
        while (true)
        {
            switch (current.Parent)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    current = parenthesized;
                    continue;
                case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    current = suppressed;
                    continue;
                case BinaryExpressionSyntax coalesce when coalesce.IsKind(SyntaxKind.CoalesceExpression) && coalesce.Left == current && IsEmpty(coalesce.Right):
                    current = coalesce;
                    continue;
                default:
                    return current;
            }
        }
    }

    private static bool IsEmpty(ExpressionSyntax expression)
        => expression switch
        {
            CollectionExpressionSyntax collection => collection.Elements.Count == 0,
            ObjectCreationExpressionSyntax creation => creation.ArgumentList?.Arguments.Count is null or 0 && creation.Initializer is null,
            ImplicitObjectCreationExpressionSyntax creation => creation.ArgumentList.Arguments.Count == 0 && creation.Initializer is null,
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.ValueText: "Empty" } } } => true,
            _ => false,
        };
}
