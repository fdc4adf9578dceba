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
using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU107 with the Sluice runtime for the one shape where batching is sound: lines of a file collected into a
/// list that is then only walked once, by the loop right after.
/// <code>
/// var orders = new List&lt;Order&gt;();                 foreach (var batch in File.ReadLines(path).InBatches(1000))
/// foreach (var line in File.ReadLines(path))        {
/// {                                                     var orders = new List&lt;Order&gt;();
///     orders.Add(Parse(line));               =&gt;         foreach (var line in batch) { orders.Add(Parse(line)); }
/// }                                                     foreach (var order in orders) { Save(order); }
/// foreach (var order in orders) { Save(order); }    }
/// </code>
/// Both loops stay verbatim; the list is declared per batch, so it never holds more than one batch, and within a batch
/// the items are still all collected before any is processed. Offered only when:
/// <list type="bullet">
/// <item>the source is <c>File.ReadLines</c>/<c>File.ReadLinesAsync</c> or <c>SluiceFile.ReadLines</c>/<c>ReadLinesAsync</c>,
/// possibly followed by LINQ operators: processing while a file is open is harmless, while a query, a reader or an
/// async stream of unknown origin may hold the connection or DbContext the processing needs;</item>
/// <item>the collection is a <c>List&lt;T&gt;</c> local declared empty by the statement right before the loop, added to
/// once in the body (the only statement besides declarations, ifs and continue), and used after the loop only as the
/// collection of the <c>foreach</c> that directly follows it;</item>
/// <item>the collecting body writes no variable declared outside it, and reads none that the processing loop writes
/// or hands to a method (else batching would change what the body sees);</item>
/// <item>the processing loop leaves only by finishing or by <c>return</c> (no break, goto or yield, which would stop
/// at the end of a batch instead of the end of the data).</item>
/// </list>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StreamAccumulatedCodeFix))]
[Shared]
public sealed class StreamAccumulatedCodeFix : CodeFixProvider
{
    internal const string InBatchesKey = RuleIds.StreamAccumulated + ".InBatches";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.StreamAccumulated);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit
            || model is null
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax add
            || !int.TryParse(diagnostic.Properties.TryGetValue(StreamAccumulatedAnalyzer.BatchSizeProperty, out var text) ? text : null, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
            || Rewrite(unit, model, add, size, context.CancellationToken) is not { } newRoot)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Process the items in batches of {size.ToString(CultureInfo.InvariantCulture)} (InBatches)",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(newRoot)),
                InBatchesKey),
            diagnostic);
    }

    /// <summary>The root with the collect-then-process loops batched, or null when the shape has no sound rewrite.</summary>
    private static CompilationUnitSyntax? Rewrite(CompilationUnitSyntax root, SemanticModel model, InvocationExpressionSyntax add, int size, CancellationToken cancellationToken)
    {
        var compilation = model.Compilation;
        var listType = KnownTypes.Of(compilation).GenericList;
        if (listType is null
            || KnownTypes.Of(compilation).SluiceBatchingExtensions is null
            || model.GetOperation(add, cancellationToken) is not IInvocationOperation { TargetMethod.Name: "Add", Instance: ILocalReferenceOperation { Local: var list } } call
            || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType.OriginalDefinition, listType)
            || !SymbolEqualityComparer.Default.Equals(list.Type.OriginalDefinition, listType)
            || add.Parent is not ExpressionStatementSyntax addStatement
            || add.Ancestors().FirstOrDefault(node => node is CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax) is not ForEachStatementSyntax loop
            || loop.Parent is not BlockSyntax block
            || model.GetOperation(loop, cancellationToken) is not IForEachLoopOperation collecting
            || !IsFileSource(StreamedSources.SourceOf(collecting), compilation))
        {
            return null;
        }

        var index = block.Statements.IndexOf(loop);
        if (index < 1
            || index + 1 >= block.Statements.Count
            || block.Statements[index - 1] is not LocalDeclarationStatementSyntax { Declaration.Variables.Count: 1 } declaration
            || declaration.UsingKeyword.IsKind(SyntaxKind.UsingKeyword)
            || !IsEmptyList(declaration.Declaration.Variables[0].Initializer?.Value)
            || !SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declaration.Declaration.Variables[0], cancellationToken), list)
            || block.Statements[index + 1] is not CommonForEachStatementSyntax processing
            || processing.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword)
            || model.GetOperation(processing, cancellationToken) is not IForEachLoopOperation processingOperation
            || processingOperation.Collection.WalkDownConversion() is not ILocalReferenceOperation { Local: var processed }
            || !SymbolEqualityComparer.Default.Equals(processed, list)
            || References(model, block, list, cancellationToken) != 2
            || loop.Statement.DescendantNodes().OfType<ExpressionStatementSyntax>().Any(statement => statement != addStatement)
            || WritesOutside(collecting.Body, loop)
            || LeavesEarly(processing)
            || ReadVariables(collecting.Body, loop).Overlaps(ChangedVariables(processingOperation.Body)))
        {
            return null;
        }

        var source = StreamedSources.SourceOf(collecting).Syntax;
        var batch = BatchName(model, loop, processing);
        var batches = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, (ExpressionSyntax)source.WithoutTrivia(), SyntaxFactory.IdentifierName(RuntimeContract.Batching.InBatches)),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                    SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(size))))))
            .WithTriviaFrom(source);

        // WithCancellation/ConfigureAwait stay on the outer loop: the runtime's async InBatches flows the token to the source.
        var outerExpression = source == loop.Expression ? batches : loop.Expression.ReplaceNode(source, batches);
        var inner = loop
            .WithAwaitKeyword(default)
            .WithExpression(SyntaxFactory.IdentifierName(batch).WithTriviaFrom(loop.Expression));
        var outer = SyntaxFactory.ForEachStatement(
                SyntaxFactory.IdentifierName("var"),
                SyntaxFactory.Identifier(batch),
                outerExpression,
                SyntaxFactory.Block(declaration.WithoutLeadingTrivia(), inner, processing.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)))
            .WithAwaitKeyword(loop.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword) ? SyntaxFactory.Token(SyntaxKind.AwaitKeyword) : default)
            .WithLeadingTrivia(declaration.GetLeadingTrivia())
            .WithTrailingTrivia(processing.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);

        var statements = block.Statements.RemoveAt(index + 1).RemoveAt(index).RemoveAt(index - 1).Insert(index - 1, outer);
        var newRoot = root.ReplaceNode(block, block.WithStatements(statements));
        return UsingDirectives.IsImported(model, loop.SpanStart, RuntimeContract.Namespace) ? newRoot : UsingDirectives.Add(newRoot, RuntimeContract.Namespace);
    }

    /// <summary>
    /// "batch" unless the two loops or the scope around them (a later local of the block included) use it already; the
    /// outer loop's variable only encloses the two loops, so a sibling loop's <c>batch</c> does not clash.
    /// </summary>
    private static string BatchName(SemanticModel model, ForEachStatementSyntax loop, CommonForEachStatementSyntax processing)
    {
        var used = new HashSet<string>(loop.DescendantTokens().Concat(processing.DescendantTokens())
            .Where(token => token.IsKind(SyntaxKind.IdentifierToken))
            .Select(token => token.ValueText));
        for (var suffix = 1; ; suffix++)
        {
            var name = suffix == 1 ? "batch" : "batch" + suffix.ToString(CultureInfo.InvariantCulture);
            if (!used.Contains(name) && model.LookupSymbols(loop.SpanStart, name: name).IsEmpty)
            {
                return name;
            }
        }
    }

    /// <summary>
    /// The lines of a file (File.ReadLines/ReadLinesAsync, SluiceFile.ReadLines/ReadLinesAsync), possibly followed by
    /// LINQ operators. Anything else — a query, an async stream handed in — might hold a connection the processing needs.
    /// </summary>
    private static bool IsFileSource(IOperation source, Compilation compilation)
    {
        var file = KnownTypes.Of(compilation).File;
        var sluiceFile = KnownTypes.Of(compilation).SluiceFile;
        while (source is IInvocationOperation call)
        {
            var method = call.TargetMethod;
            if (method.Name is "ReadLines" or "ReadLinesAsync"
                && (SymbolEqualityComparer.Default.Equals(method.ContainingType, file) || SymbolEqualityComparer.Default.Equals(method.ContainingType, sluiceFile)))
            {
                return true;
            }

            if (!method.IsExtensionMethod
                || method.ContainingNamespace?.ToDisplayString() != "System.Linq"
                || call.Arguments.Length == 0)
            {
                return false;
            }

            source = (call.Instance ?? call.Arguments[0].Value).WalkDownConversion();
        }

        return false;
    }

    /// <summary><c>new List&lt;T&gt;()</c>, <c>new()</c> or <c>[]</c>: nothing that would be repeated per batch.</summary>
    private static bool IsEmptyList(ExpressionSyntax? value)
        => value switch
        {
            ObjectCreationExpressionSyntax creation => creation.ArgumentList is null or { Arguments.Count: 0 } && creation.Initializer is null,
            ImplicitObjectCreationExpressionSyntax creation => creation.ArgumentList.Arguments.Count == 0 && creation.Initializer is null,
            CollectionExpressionSyntax collection => collection.Elements.Count == 0,
            _ => false,
        };

    private static int References(SemanticModel model, BlockSyntax block, ILocalSymbol local, CancellationToken cancellationToken)
        => block.DescendantNodes()
            .OfType<IdentifierNameSyntax>()
            .Count(name => name.Identifier.ValueText == local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local));

    /// <summary>True when the collecting body assigns, increments or passes by ref anything not declared inside it.</summary>
    private static bool WritesOutside(IOperation body, ForEachStatementSyntax loop)
    {
        foreach (var operation in body.Descendants())
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };
            if (target is not null && !IsBodyLocal(target, loop))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBodyLocal(IOperation target, ForEachStatementSyntax loop)
        => target switch
        {
            ILocalReferenceOperation local => local.Local.DeclaringSyntaxReferences.Any(reference => loop.Statement.Span.Contains(reference.Span)),
            IDeclarationExpressionOperation or IDiscardOperation => true,
            ITupleOperation tuple => tuple.Elements.All(element => IsBodyLocal(element, loop)),
            _ => false,
        };

    /// <summary>The locals, parameters and fields the collecting body reads, other than its own locals.</summary>
    private static HashSet<ISymbol> ReadVariables(IOperation body, ForEachStatementSyntax loop)
    {
        var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in body.Descendants())
        {
            if (Variable(operation) is { } variable
                && !(variable is ILocalSymbol && variable.DeclaringSyntaxReferences.Any(reference => loop.Span.Contains(reference.Span))))
            {
                read.Add(variable);
            }
        }

        return read;
    }

    /// <summary>
    /// The variables the processing body may change: assigned, incremented or passed by ref, including through a member
    /// (<c>totals.Count = ...</c>), used as the receiver of a call (<c>seen.Add(x)</c>) or handed to a method (<c>Track(seen, x)</c>).
    /// </summary>
    private static HashSet<ISymbol> ChangedVariables(IOperation body)
    {
        var changed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in body.DescendantsAndSelf())
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IInvocationOperation { Instance: { } instance } when MayBeChangedThrough(instance.Type) => instance,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                IArgumentOperation argument when MayBeChangedThrough(argument.Value.Type) => argument.Value,
                _ => null,
            };
            if (target is not null && RootVariable(target) is { } variable)
            {
                changed.Add(variable);
            }
        }

        return changed;
    }

    /// <summary>Strings, numbers and other built-in values cannot be changed by a method they are handed to.</summary>
    private static bool MayBeChangedThrough(ITypeSymbol? type)
        => type is null || type.SpecialType == SpecialType.None;

    /// <summary>The local, parameter or field at the bottom of a chain of member and element accesses.</summary>
    private static ISymbol? RootVariable(IOperation operation)
    {
        var current = operation.WalkDownConversion();
        while (true)
        {
            if (Variable(current) is { } variable)
            {
                return variable;
            }

            IOperation? next = current switch
            {
                IMemberReferenceOperation { Instance: { } instance } => instance,
                IArrayElementReferenceOperation element => element.ArrayReference,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            current = next.WalkDownConversion();
        }
    }

    private static ISymbol? Variable(IOperation operation)
        => operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            _ => null,
        };

    /// <summary>
    /// True when the processing body can leave the loop other than by finishing an item or returning: a break of this
    /// loop or a goto would stop at the end of a batch, a yield would hand out items before the file is read.
    /// </summary>
    private static bool LeavesEarly(CommonForEachStatementSyntax loop)
    {
        foreach (var node in loop.Statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            switch (node)
            {
                case GotoStatementSyntax or YieldStatementSyntax:
                    return true;
                case BreakStatementSyntax:
                    var owner = node.Ancestors().First(a => a is SwitchSectionSyntax or CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
                    if (owner == loop)
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }
}
