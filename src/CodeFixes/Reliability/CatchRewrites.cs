using System.Collections.Generic;
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
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// What a dead-letter fix needs: the record (the enclosing <c>foreach</c>'s variable, or a message handler's message)
/// and the expression that writes it, an <c>IDeadLetterSink</c> in scope (or the type to add one to), and whether the
/// catch can await.
/// </summary>
internal sealed class DeadLetterPlan(string recordName, string recordExpression, ISymbol? sink, INamedTypeSymbol owner, bool canAwait, ISymbol? token)
{
    /// <summary>The name of the sink field the fix adds when none is in scope.</summary>
    public const string NewSinkField = "DeadLetterSink";

    /// <summary>The record's name, for the title.</summary>
    public string RecordName { get; } = recordName;

    /// <summary>What <c>DeadLetter.From</c> receives: the record, or the message's body as bytes.</summary>
    public string RecordExpression { get; } = recordExpression;

    public ISymbol? Sink { get; } = sink;

    public INamedTypeSymbol Owner { get; } = owner;

    public bool CanAwait { get; } = canAwait;

    public ISymbol? Token { get; } = token;

    public string NewSinkPath => $"dead-letters/{Owner.Name}.jsonl";

    public string Title => Sink is null
        ? $"Dead-letter '{RecordName}' to a new sink field ({NewSinkPath})"
        : $"Dead-letter '{RecordName}' to '{Sink.Name}'";
}

/// <summary>The catch-block rewrites the SLU201 and SLU202 fixes share.</summary>
internal static class CatchRewrites
{
    /// <summary>The catch with a named exception variable, adding <c>(Exception ex)</c> to a bare <c>catch</c>.</summary>
    public static (CatchClauseSyntax Catch, string Name) WithNamedException(SemanticModel model, CatchClauseSyntax catchClause)
    {
        if (catchClause.Declaration is { Identifier.ValueText: { Length: > 0 } existing })
        {
            return (catchClause, existing);
        }

        var name = LocalNames.Unique(model, catchClause.Block, "ex", "exception");
        if (catchClause.Declaration is { } typeOnly)
        {
            return (catchClause.WithDeclaration(SyntaxFactory.CatchDeclaration(typeOnly.Type, SyntaxFactory.Identifier(name)).WithTriviaFrom(typeOnly)), name);
        }

        // 'catch' keeps its line break after the new declaration: catch (Exception ex)⏎{
        var declaration = SyntaxFactory.CatchDeclaration(
                SyntaxFactory.ParseTypeName("System.Exception").WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.Identifier(name))
            .WithTrailingTrivia(catchClause.CatchKeyword.TrailingTrivia);
        return (catchClause.WithCatchKeyword(catchClause.CatchKeyword.WithTrailingTrivia(SyntaxFactory.Space)).WithDeclaration(declaration), name);
    }

    /// <summary>
    /// The block with <paramref name="prefix"/> first and the failure rethrown: every <c>return</c>, <c>yield break</c>,
    /// and <c>break</c>/<c>continue</c> that left the catch becomes <c>throw;</c>, and <c>throw;</c> ends a block whose
    /// end was reachable. Other statements (cleanup, counters) stay.
    /// </summary>
    public static BlockSyntax Rethrowing(SemanticModel model, BlockSyntax block, IEnumerable<StatementSyntax> prefix)
    {
        var rewritten = block.ReplaceNodes(DroppingExits(block), (original, _) => Rethrow().WithTriviaFrom(original));
        var statements = prefix.Concat(rewritten.Statements).ToList();
        if (EndIsReachable(model, block))
        {
            statements.Add(Rethrow());
        }

        return rewritten.WithStatements(SyntaxFactory.List(statements)).WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>A statement parsed from code, formatted where it lands.</summary>
    public static StatementSyntax Statement(string code)
        => SyntaxFactory.ParseStatement(code)
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithTrailingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>The dead-letter fix's needs, or null when it cannot apply (no runtime, no foreach record, nowhere to put a sink).</summary>
    public static DeadLetterPlan? PlanDeadLetter(SemanticModel model, CatchClauseSyntax catchClause)
    {
        var types = KnownTypes.Of(model.Compilation);
        var sinkType = types.DeadLetterSink;
        if (sinkType is null || types.DeadLetter is null)
        {
            return null;
        }

        if (model.GetOperation(catchClause) is not { Parent: ITryOperation tryOperation }
            || catchClause.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } ownerSyntax
            || model.GetDeclaredSymbol(ownerSyntax) is not { } owner)
        {
            return null;
        }

        string recordName, recordExpression;
        if (RecordLoop.Around(tryOperation, types) is { } loop)
        {
            // The record of the loop the analyzers call a record loop (RecordLoop), when it is a foreach: a reader loop has no
            // record variable to keep. DeadLetter.From<T> takes the record as a type argument, which a span (a ref struct)
            // or a pointer cannot be.
            if (loop is not { Loop: IForEachLoopOperation, Record: { } record }
                || record.Type.IsRefLikeType || record.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                return null;
            }

            recordName = record.Name;

            // A dynamic record would make the whole call dynamic, and extension methods (Write) cannot be dispatched dynamically.
            recordExpression = record.Type.TypeKind == TypeKind.Dynamic ? $"(object){record.Name}" : record.Name;
        }
        else if (MessageHandlerFixes.MessageBytes(tryOperation, types) is { } message)
        {
            (recordName, recordExpression) = message;
        }
        else
        {
            return null;
        }

        var position = catchClause.Block.SpanStart;
        var sink = SymbolsInScope.FindUsable(model, position, type => SymbolEqualityComparer.Default.Equals(type, sinkType) || type.AllInterfaces.Contains(sinkType, SymbolEqualityComparer.Default));
        var canAwait = AsyncContext.CanAwait(catchClause);
        var tokenType = types.CancellationToken;
        var token = canAwait && tokenType is not null
            ? SymbolsInScope.FindUsable(model, position, type => SymbolEqualityComparer.Default.Equals(type, tokenType))
            : null;
        return new DeadLetterPlan(recordName, recordExpression, sink, owner, canAwait, token);
    }

    /// <summary>Offers the dead-letter fix for the catch under <paramref name="key"/>, when it applies.</summary>
    public static void RegisterDeadLetter(CodeFixContext context, SemanticModel model, CatchClauseSyntax catchClause, string key)
    {
        if (PlanDeadLetter(model, catchClause) is { } plan)
        {
            context.RegisterCodeFix(
                CodeAction.Create(plan.Title, token => DeadLetterAsync(context.Document, catchClause, plan, token), key),
                context.Diagnostics[0]);
        }
    }

    /// <summary>
    /// Writes the record and the exception to the dead-letter sink first thing in the catch, keeping the rest of the
    /// block (the loop goes on to the next record, as before, but nothing is lost). Adds the sink field and
    /// <c>using Sluice;</c> when needed.
    /// </summary>
    public static async Task<Document> DeadLetterAsync(Document document, CatchClauseSyntax catchClause, DeadLetterPlan plan, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var owner = catchClause.FirstAncestorOrSelf<TypeDeclarationSyntax>()!;

        var (newCatch, exception) = WithNamedException(model, catchClause);
        var sink = plan.Sink?.Name ?? UniqueMemberName(plan.Owner, DeadLetterPlan.NewSinkField);
        var letter = $"DeadLetter.{RuntimeContract.DeadLettering.From}({plan.RecordExpression}, {exception})";
        var write = plan.CanAwait
            ? $"await {sink}.{RuntimeContract.DeadLettering.WriteAsync}({letter}{(plan.Token is null ? "" : ", " + plan.Token.Name)});"
            : $"{sink}.{RuntimeContract.DeadLettering.Write}({letter});";
        newCatch = newCatch.WithBlock(newCatch.Block
            .WithStatements(newCatch.Block.Statements.Insert(0, Statement(write)))
            .WithAdditionalAnnotations(Formatter.Annotation));

        root = root.TrackNodes(catchClause, owner);
        root = root.ReplaceNode(root.GetCurrentNode(catchClause)!, newCatch);
        if (plan.Sink is null)
        {
            var currentOwner = root.GetCurrentNode(owner)!;
            var endOfLine = currentOwner.OpenBraceToken.TrailingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            if (endOfLine.RawKind == 0)
            {
                endOfLine = SyntaxFactory.ElasticLineFeed;
            }

            // First member, indented like the others, with a blank line after it.
            var field = SyntaxFactory.ParseMemberDeclaration(
                    $"private static readonly {Short(RuntimeContract.DeadLettering.SinkTypeName)} {sink} = new {Short(RuntimeContract.DeadLettering.JsonLinesSinkTypeName)}(\"{plan.NewSinkPath}\");")!
                .WithLeadingTrivia(currentOwner.Members.FirstOrDefault()?.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)) ?? [])
                .WithTrailingTrivia(endOfLine, endOfLine)
                .WithAdditionalAnnotations(Formatter.Annotation);
            root = root.ReplaceNode(currentOwner, currentOwner.WithMembers(currentOwner.Members.Insert(0, field)));
        }

        if (!UsingDirectives.IsImported(model, catchClause.SpanStart, RuntimeContract.Namespace))
        {
            root = UsingDirectives.Add(root, RuntimeContract.Namespace);
        }

        return document.WithSyntaxRoot(root);
    }

    /// <summary>The name of the member (method, property, constructor's type) the node is in, for log messages.</summary>
    public static string EnclosingMemberName(SemanticModel model, SyntaxNode node)
    {
        for (var symbol = model.GetEnclosingSymbol(node.SpanStart); symbol is not null; symbol = symbol.ContainingSymbol)
        {
            switch (symbol)
            {
                case IMethodSymbol { MethodKind: MethodKind.AnonymousFunction }:
                    continue;
                case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor:
                    return constructor.ContainingType.Name;
                case IMethodSymbol { AssociatedSymbol: { } property }:
                    return property.Name;
                case IMethodSymbol { Name: "<Main>$" }:
                    return "Program";
                case IMethodSymbol method:
                    return method.Name;
                default:
                    return symbol.Name.Length > 0 ? symbol.Name : "Operation";
            }
        }

        return "Operation";
    }

    private static ThrowStatementSyntax Rethrow()
        => SyntaxFactory.ThrowStatement().WithAdditionalAnnotations(Formatter.Annotation);

    private static bool EndIsReachable(SemanticModel model, BlockSyntax block)
        => block.Statements.Count == 0
            || model.AnalyzeControlFlow(block.Statements.First(), block.Statements.Last()) is not { Succeeded: true, EndPointIsReachable: false };

    /// <summary>
    /// The statements that leave the catch and so drop the failure: every <c>return</c> and <c>yield break</c>, and the
    /// <c>break</c>/<c>continue</c> that target a loop or switch outside the catch. Lambdas, local functions and nested
    /// handlers are left alone: their exits belong to other code.
    /// </summary>
    private static List<StatementSyntax> DroppingExits(BlockSyntax block)
    {
        var found = new List<StatementSyntax>();
        Visit(block, insideLoop: false, insideSwitch: false);
        return found;

        void Visit(SyntaxNode node, bool insideLoop, bool insideSwitch)
        {
            foreach (var child in node.ChildNodes())
            {
                switch (child)
                {
                    case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or CatchClauseSyntax or FinallyClauseSyntax:
                        continue;
                    case ReturnStatementSyntax:
                    case YieldStatementSyntax yield when yield.IsKind(SyntaxKind.YieldBreakStatement):
                    case BreakStatementSyntax when !insideLoop && !insideSwitch:
                    case ContinueStatementSyntax when !insideLoop:
                        found.Add((StatementSyntax)child);
                        continue;
                    case ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                        Visit(child, insideLoop: true, insideSwitch);
                        continue;
                    case SwitchStatementSyntax:
                        Visit(child, insideLoop, insideSwitch: true);
                        continue;
                    default:
                        Visit(child, insideLoop, insideSwitch);
                        continue;
                }
            }
        }
    }

    /// <summary>A runtime type's name without its namespace, which the fix imports.</summary>
    private static string Short(string metadataName) => metadataName.Substring(metadataName.LastIndexOf('.') + 1);

    private static string UniqueMemberName(INamedTypeSymbol type, string name)
    {
        var candidate = name;
        for (var suffix = 2; !type.GetMembers(candidate).IsEmpty || type.Name == candidate; suffix++)
        {
            candidate = name + suffix;
        }

        return candidate;
    }
}
