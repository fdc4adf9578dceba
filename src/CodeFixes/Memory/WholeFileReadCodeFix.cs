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
/// Fixes SLU102 for <c>File.ReadAllLines(Async)</c>. Sync: <c>File.ReadLines</c> in place of <c>File.ReadAllLines</c>,
/// with the same arguments (the encoding too); a local declared as <c>string[]</c> becomes <c>IEnumerable&lt;string&gt;</c>.
/// The analyzer reports only a single enumeration, which a stream serves the same. Async: an awaited
/// <c>ReadAllLinesAsync</c> iterated by a <c>foreach</c> becomes <c>await foreach (... in File.ReadLinesAsync(...))</c>
/// (.NET 7 and later). <c>ReadAllText(...).Split(...)</c> gets no fix: splitting keeps <c>'\r'</c> and a trailing empty
/// line that <c>ReadLines</c> drops, so the docs page shows the manual change. CsvHelper records collected whole and
/// iterated once by a <c>foreach</c> are iterated as they are read (see <see cref="CollectedStream"/>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WholeFileReadCodeFix))]
[Shared]
public sealed class WholeFileReadCodeFix : CodeFixProvider
{
    internal const string ReadLinesKey = RuleIds.WholeFileRead + ".ReadLines";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.WholeFileRead);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation)
        {
            return;
        }

        if (await FixAsync(context.Document, invocation, diagnostic, ReadLinesKey, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
        {
            var title = MethodName(invocation) switch
            {
                "ReadAllLinesAsync" => "Stream the lines with File.ReadLinesAsync",
                "ToList" or "ToArray" or "ToListAsync" or "ToArrayAsync" => "Iterate the records as they are read",
                _ => "Stream the lines with File.ReadLines",
            };
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(fixedDocument), ReadLinesKey), diagnostic);
        }
    }

    private static async Task<Document?> FixAsync(Document document, InvocationExpressionSyntax invocation, Diagnostic diagnostic, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (key != ReadLinesKey
            || root is not CompilationUnitSyntax unit
            || model?.GetOperation(invocation, cancellationToken) is not IInvocationOperation call)
        {
            return null;
        }

        return MethodName(invocation) switch
        {
            "ReadAllLines" => FixSync(document, unit, model, invocation, call),
            "ReadAllLinesAsync" => FixAwaited(document, unit, model, invocation, cancellationToken),
            "ToList" or "ToArray" or "ToListAsync" or "ToArrayAsync" => CollectedStream.Fix(document, unit, model, invocation, cancellationToken),
            _ => null,
        };
    }

    private static Document? FixSync(Document document, CompilationUnitSyntax root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation call)
    {
        if (LineByLine.Classify(call) == LineByLineUse.None)
        {
            return null;
        }

        var renamed = Rename(invocation, "ReadLines");

        // string[] lines = File.ReadAllLines(path);  ->  IEnumerable<string> lines = File.ReadLines(path);
        if (invocation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type: { IsVar: false } type } declaration } })
        {
            var enumerable = SyntaxFactory.ParseTypeName("global::System.Collections.Generic.IEnumerable<string>")
                .WithTriviaFrom(type)
                .WithAdditionalAnnotations(Simplifier.Annotation);
            var newDeclaration = declaration.ReplaceNode(invocation, renamed).WithType(enumerable);
            var newRoot = root.ReplaceNode(declaration, newDeclaration);
            if (!UsingDirectives.IsImported(model, invocation.SpanStart, "System.Collections.Generic"))
            {
                newRoot = UsingDirectives.Add(newRoot, "System.Collections.Generic");
            }

            return document.WithSyntaxRoot(newRoot);
        }

        return document.WithSyntaxRoot(root.ReplaceNode(invocation, renamed));
    }

    private static Document? FixAwaited(Document document, CompilationUnitSyntax root, SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        if (KnownTypes.Of(model.Compilation).File is not { } file || file.GetMembers("ReadLinesAsync").IsEmpty)
        {
            return null;
        }

        ExpressionSyntax value = invocation;
        ArgumentListSyntax? configureAwait = null;
        if (invocation.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured } access
            && access.Expression == invocation)
        {
            configureAwait = configured.ArgumentList;
            value = configured;
        }

        if (value.Parent is not AwaitExpressionSyntax awaited || StreamingLoop.Find(model, awaited, cancellationToken) is not { } loop)
        {
            return null;
        }

        ExpressionSyntax stream = Rename(invocation, "ReadLinesAsync").WithoutTrivia();
        if (configureAwait is not null)
        {
            stream = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, stream, SyntaxFactory.IdentifierName("ConfigureAwait")),
                configureAwait.WithoutTrivia());
        }

        var newRoot = (CompilationUnitSyntax)loop.ReplaceIn(root, loop.Over(stream, awaitEach: true).WithAdditionalAnnotations(Formatter.Annotation));
        if (configureAwait is not null && !UsingDirectives.IsImported(model, invocation.SpanStart, "System.Threading.Tasks"))
        {
            newRoot = UsingDirectives.Add(newRoot, "System.Threading.Tasks");
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static string? MethodName(InvocationExpressionSyntax invocation)
        => invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            IdentifierNameSyntax name => name.Identifier.ValueText,
            _ => null,
        };

    private static InvocationExpressionSyntax Rename(InvocationExpressionSyntax invocation, string name)
        => invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName(name).WithTriviaFrom(access.Name))),
            IdentifierNameSyntax identifier => invocation.WithExpression(SyntaxFactory.IdentifierName(name).WithTriviaFrom(identifier)),
            _ => invocation,
        };
}
