using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// A <c>foreach</c> that only iterates a materialized collection: either directly (<c>foreach (var x in q.ToList())</c>)
/// or through a local declared just before it and used nowhere else (<c>var xs = q.ToList(); foreach (var x in xs)</c>).
/// Such a loop can iterate a stream instead, with nothing else noticing.
/// </summary>
internal sealed class StreamingLoop
{
    private StreamingLoop(CommonForEachStatementSyntax loop, LocalDeclarationStatementSyntax? declaration)
    {
        Loop = loop;
        Declaration = declaration;
    }

    /// <summary>The loop.</summary>
    public CommonForEachStatementSyntax Loop { get; }

    /// <summary>The declaration of the local the loop iterates, or null when the loop iterates the value directly.</summary>
    public LocalDeclarationStatementSyntax? Declaration { get; }

    /// <summary>
    /// The loop that consumes <paramref name="value"/> and nothing else, or null. The local form needs the loop to be the
    /// very next statement: code between them would run while the stream is open, or see the data read later.
    /// </summary>
    public static StreamingLoop? Find(SemanticModel model, ExpressionSyntax value, CancellationToken cancellationToken)
    {
        if (value.Parent is CommonForEachStatementSyntax direct && direct.Expression == value && direct.AwaitKeyword.IsKind(SyntaxKind.None))
        {
            return new StreamingLoop(direct, null);
        }

        if (value.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration }
            || declaration.UsingKeyword.IsKind(SyntaxKind.UsingKeyword)
            || declaration.Modifiers.Any()
            || NextStatement(declaration) is not CommonForEachStatementSyntax loop
            || !loop.AwaitKeyword.IsKind(SyntaxKind.None)
            || loop.Expression is not IdentifierNameSyntax iterated
            || iterated.Identifier.ValueText != declarator.Identifier.ValueText
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local)
        {
            return null;
        }

        var scope = declaration.Parent is GlobalStatementSyntax global ? global.Parent! : declaration.Parent!;
        var references = scope.DescendantNodes()
            .OfType<IdentifierNameSyntax>()
            .Where(name => name.Identifier.ValueText == local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            .ToList();
        return references.Count == 1 && references[0] == iterated ? new StreamingLoop(loop, declaration) : null;
    }

    /// <summary>
    /// Replaces the loop (and the declaration before it) with <paramref name="replacement"/>, which takes over the
    /// leading trivia of what it replaces.
    /// </summary>
    public SyntaxNode ReplaceIn(SyntaxNode root, StatementSyntax replacement)
    {
        if (Declaration is null)
        {
            return root.ReplaceNode(Loop, replacement.WithLeadingTrivia(Loop.GetLeadingTrivia()));
        }

        replacement = replacement.WithLeadingTrivia(Declaration.GetLeadingTrivia());
        if (Declaration.Parent is BlockSyntax block)
        {
            var statements = block.Statements;
            var index = statements.IndexOf(Declaration);
            statements = statements.RemoveAt(index).RemoveAt(index).Insert(index, replacement);
            return root.ReplaceNode(block, block.WithStatements(statements));
        }

        var declarationMember = (GlobalStatementSyntax)Declaration.Parent!;
        var loopMember = (GlobalStatementSyntax)Loop.Parent!;
        var unit = (CompilationUnitSyntax)declarationMember.Parent!;
        var members = unit.Members;
        var at = members.IndexOf(declarationMember);
        members = members.RemoveAt(at).RemoveAt(at).Insert(at, loopMember.WithStatement(replacement));
        return root.ReplaceNode(unit, unit.WithMembers(members));
    }

    /// <summary>The loop over <paramref name="stream"/> as an <c>await foreach</c>, or a plain one when <paramref name="awaitEach"/> is false.</summary>
    public CommonForEachStatementSyntax Over(ExpressionSyntax stream, bool awaitEach)
    {
        var loop = Loop.WithExpression(stream.WithTriviaFrom(Loop.Expression));
        if (awaitEach)
        {
            var leading = loop.GetLeadingTrivia();
            loop = loop.WithoutLeadingTrivia().WithAwaitKeyword(SyntaxFactory.Token(leading, SyntaxKind.AwaitKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
        }

        return loop;
    }

    /// <summary>
    /// <c>await foreach (var batch in batches) { foreach (var x in batch) body }</c>: the loop, unchanged, inside a loop over
    /// the batches.
    /// </summary>
    public StatementSyntax InBatches(ExpressionSyntax batches, string batchName)
    {
        var inner = Loop.WithExpression(SyntaxFactory.IdentifierName(batchName)).WithoutLeadingTrivia().WithoutTrailingTrivia()
            .WithAdditionalAnnotations(Formatter.Annotation);
        var outer = SyntaxFactory.ForEachStatement(
                SyntaxFactory.IdentifierName("var"),
                SyntaxFactory.Identifier(batchName),
                batches,
                SyntaxFactory.Block(inner))
            .WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword))
            .WithTrailingTrivia(Loop.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return outer;
    }

    /// <summary>True when the loop's body breaks out of the loop: nested in a batch loop, that break would end only the batch.</summary>
    public bool BreaksOut()
        => Loop.Statement.DescendantNodesAndSelf(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(node => node is BreakStatementSyntax brk && BreakTarget(brk) == Loop
                || node is GotoStatementSyntax);

    private static SyntaxNode? BreakTarget(BreakStatementSyntax statement)
        => statement.Ancestors().FirstOrDefault(a => a is CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or SwitchSectionSyntax);

    private static StatementSyntax? NextStatement(LocalDeclarationStatementSyntax declaration)
    {
        switch (declaration.Parent)
        {
            case BlockSyntax block:
                var index = block.Statements.IndexOf(declaration);
                return index + 1 < block.Statements.Count ? block.Statements[index + 1] : null;
            case GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } global:
                var at = unit.Members.IndexOf(global);
                return at + 1 < unit.Members.Count && unit.Members[at + 1] is GlobalStatementSyntax next ? next.Statement : null;
            default:
                return null;
        }
    }
}
