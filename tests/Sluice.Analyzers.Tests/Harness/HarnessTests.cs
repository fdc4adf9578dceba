using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sluice.Analyzers.Reliability;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>
/// The harness must fail loudly for each way a rule test can be wrong. Microsoft.CodeAnalysis.Testing reports a
/// failure as an <see cref="InvalidOperationException"/> whose message starts with the check's context.
/// </summary>
public class HarnessTests
{
    // A catch SLU201 reports: it drops the record of a loop over a batch handed in.
    private const string Head = "class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } ";
    private const string Tail = " } } }";
    private const string EmptyCatch = Head + "[|catch|] { }" + Tail;

    // ---- Markup ---------------------------------------------------------------------------------

    [Fact]
    public void Markup_yields_plain_source_and_spans_for_default_and_named_rules()
    {
        var (source, expected) = Markup.Parse("a[|bc|]d{|SLU999:e[|f|]|}g");

        Assert.Equal("abcdefg", source);
        Assert.Equal(
            [new ExpectedDiagnostic(null, TextSpan.FromBounds(1, 3)), new ExpectedDiagnostic("SLU999", TextSpan.FromBounds(4, 6)), new ExpectedDiagnostic(null, TextSpan.FromBounds(5, 6))],
            expected);
    }

    [Fact]
    public void Markup_leaves_CSharp_braces_and_pipes_alone()
    {
        const string Code = "var s = $\"{x}\"; if (a || b) { M(x => { }); }";
        var (source, expected) = Markup.Parse(Code);

        Assert.Equal(Code, source);
        Assert.Empty(expected);
    }

    [Theory]
    [InlineData("a[|b")]
    [InlineData("a|]b")]
    [InlineData("{|SLU1:a|]")]
    public void Unbalanced_markup_is_rejected(string markup)
        => Assert.Throws<FormatException>(() => Markup.Parse(markup));

    [Fact]
    public Task Code_that_looks_like_the_library_markup_is_plain_code_here()
        => Verify.Analyzer<SwallowedExceptionAnalyzer>()
            .WithSource(""""
                class C
                {
                    string M(int x) => $$"""{{x}} costs $$5""";

                    void N(string[] l) { foreach (var x in l) { try { x.Trim(); } [|catch|] { } } }
                }
                """")
            .RunAsync();

    // ---- Diagnostics ------------------------------------------------------------------------------

    [Fact]
    public async Task A_diagnostic_missing_from_the_markup_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(EmptyCatch.Replace("[|", "").Replace("|]", "")).RunAsync());
        Assert.Contains("Diagnostics of test state", failure.Message);
        Assert.Contains("expected \"0\" actual \"1\"", failure.Message);
        Assert.Contains("Test0.cs(1,73): warning SLU201", failure.Message);
    }

    [Fact]
    public async Task Markup_with_no_diagnostic_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("class C { [|void M() { }|] }").RunAsync());
        Assert.Contains("expected \"1\" actual \"0\"", failure.Message);
    }

    [Fact]
    public async Task A_diagnostic_on_the_wrong_span_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(Head + "[|catch |]{ }" + Tail).RunAsync());
        Assert.Contains("Expected diagnostic to end at column \"79\" was actually at column \"78\"", failure.Message);
    }

    [Fact]
    public async Task A_wrong_message_fails_and_messages_are_counted()
    {
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(EmptyCatch).WithMessages("not the message").RunAsync());
        Assert.Contains("Expected diagnostic message to be \"not the message\"", wrong.Message);

        var tooMany = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(EmptyCatch).WithMessages("one", "two").RunAsync());
        Assert.Contains("WithMessages gives 2 messages", tooMany.Message);
    }

    [Fact]
    public async Task Input_that_does_not_compile_fails_with_the_compiler_errors()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("class C { void M() { Missing(); } }").RunAsync());
        Assert.Contains("CS0103", failure.Message);
    }

    [Fact]
    public async Task A_library_that_is_not_referenced_is_not_visible()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("using Microsoft.Extensions.Logging; class C { }").RunAsync());
        Assert.Contains("CS0234", failure.Message);

        await Verify.Analyzer<SwallowedExceptionAnalyzer>()
            .WithSource("using Microsoft.Extensions.Logging; class C { }")
            .WithLibraries(Library.Logging)
            .RunAsync();
    }

    [Fact]
    public async Task An_analyzer_that_throws_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<ThrowingAnalyzer>().WithSource("class C { }").RunAsync());
        Assert.Contains("AD0001", failure.Message);
        Assert.Contains("analyzer bug", failure.Message);
    }

    [Fact]
    public async Task An_analyzer_that_reports_in_generated_code_fails_unless_it_says_so()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<CatchAnalyzerWithoutGeneratedCodePolicy>().WithSource(EmptyCatch).RunAsync());
        Assert.Contains("Verifying exclusions in <auto-generated> code", failure.Message);
    }

    [Fact]
    public async Task An_analyzer_that_is_not_silenced_by_pragma_warning_disable_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.Analyzer<CatchAnalyzerThatSeesPragmas>().WithSource(EmptyCatch).RunAsync());
        Assert.Contains("Verifying exclusions in '#pragma warning disable' code", failure.Message);
    }

    // ---- Fixes ------------------------------------------------------------------------------------

    [Fact]
    public async Task A_wrong_fixed_source_fails_with_a_diff()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource(Head + "catch { }" + Tail)
                .RunAsync());
        Assert.Contains("content of '/0/Test0.cs' did not match", failure.Message);
        Assert.Contains("-" + Head + "catch { }" + Tail, failure.Message);
    }

    [Fact]
    public async Task The_equivalence_key_picks_the_fix_and_null_takes_the_first_offered()
    {
        await Verify.CodeFix<SwallowedExceptionAnalyzer, CommentingFix>("second")
            .WithSource(EmptyCatch)
            .WithFixedSource(Head + "catch { throw; }" + Tail)
            .RunAsync();

        var first = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, CommentingFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource(Head + "catch { throw; }" + Tail)
                .RunAsync());
        Assert.Contains("/* first */", first.Message);
    }

    [Fact]
    public async Task A_fix_offered_where_none_is_expected_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.RethrowKey)
                .WithSource(EmptyCatch)
                .ExpectNoFix()
                .RunAsync());
        Assert.Contains("Expected no fix 'SLU201.Rethrow' for /0/Test0.cs(1,73): warning SLU201", failure.Message);
        Assert.Contains("but 'Rethrow the exception (throw;)' was offered.", failure.Message);
    }

    [Fact]
    public async Task ExpectNoFix_without_a_key_fails_for_any_fix_and_passes_when_none_is_offered()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, CommentingFix>()
                .WithSource(EmptyCatch)
                .ExpectNoFix()
                .RunAsync());
        Assert.Contains("Expected no fix for /0/Test0.cs(1,73): warning SLU201", failure.Message);
        Assert.Contains("but 'first' was offered.", failure.Message);

        await Verify.CodeFix<SwallowedExceptionAnalyzer, CommentingFix>("no such key")
            .WithSource(EmptyCatch)
            .ExpectNoFix()
            .RunAsync();
    }

    [Fact]
    public async Task A_fix_that_keeps_moving_its_diagnostic_is_stopped_by_the_loop_guard()
    {
        // One diagnostic: at most two passes. The library stops at the third application and reports the limit once the
        // output (three comments) matches.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, GrowingFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource(Head + "/* again */ /* again */ /* again */ catch { }" + Tail)
                .RunAsync());
        Assert.Contains("Iterative code fix application", failure.Message);
        Assert.Contains("The upper limit for the number of code fix iterations was exceeded", failure.Message);
    }

    [Fact]
    public async Task A_fix_whose_output_does_not_compile_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, BrokenFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource(Head + "catch { throw; return 1; }" + Tail)
                .RunAsync());
        Assert.Contains("Diagnostics of fixed state", failure.Message);
        Assert.Contains("CS0127", failure.Message);
    }

    [Fact]
    public async Task A_Fix_All_that_differs_from_one_at_a_time_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, FixAllThatForgetsFix>()
                .WithSource("class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } [|catch|] { } } foreach (var x in l) { try { x.Trim(); } [|catch|] { } } } }")
                .WithFixedSource("class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } catch { throw; } } foreach (var x in l) { try { x.Trim(); } catch { throw; } } } }")
                .RunAsync());
        Assert.Contains("Fix all in document", failure.Message);
    }

    [Fact]
    public async Task A_fix_whose_tree_is_not_what_its_text_parses_to_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, QualifiedNameFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource(Head + "catch { System.GC.Collect(); throw; }" + Tail)
                .RunAsync());
        Assert.Contains("Node(SimpleMemberAccessExpression)", failure.Message);
    }

    // ---- Test analyzers and fixes -----------------------------------------------------------------

    private static readonly DiagnosticDescriptor CatchRule = new(
        "SLU998", "catch", "catch", "Test", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class ThrowingAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [CatchRule];

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSyntaxNodeAction(_ => throw new InvalidOperationException("analyzer bug"), SyntaxKind.ClassDeclaration);
        }
    }

    /// <summary>Reports every catch, and never says what to do in generated code (the default then reports there too).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class CatchAnalyzerWithoutGeneratedCodePolicy : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [CatchRule];

#pragma warning disable RS1025 // Configure generated code analysis: not configuring it is the point here.
        public override void Initialize(AnalysisContext context)
#pragma warning restore RS1025
        {
            context.EnableConcurrentExecution();
            context.RegisterSyntaxNodeAction(
                c => c.ReportDiagnostic(Diagnostic.Create(CatchRule, ((CatchClauseSyntax)c.Node).CatchKeyword.GetLocation())),
                SyntaxKind.CatchClause);
        }
    }

    /// <summary>Reports every catch, and a second rule when the file has a pragma: what a pragma line must not cause.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class CatchAnalyzerThatSeesPragmas : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor PragmaRule = new(
            "SLU997", "pragma", "pragma", "Test", DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [CatchRule, PragmaRule];

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSyntaxNodeAction(
                c =>
                {
                    var location = ((CatchClauseSyntax)c.Node).CatchKeyword.GetLocation();
                    c.ReportDiagnostic(Diagnostic.Create(CatchRule, location));
                    if (c.Node.SyntaxTree.GetRoot(c.CancellationToken).ContainsDirectives)
                    {
                        c.ReportDiagnostic(Diagnostic.Create(PragmaRule, location));
                    }
                },
                SyntaxKind.CatchClause);
        }
    }

    /// <summary>Adds a comment before the catch keyword, so its diagnostic moves and the fix is offered again.</summary>
    private sealed class GrowingFix : CatchClauseFix
    {
        protected override CatchClauseSyntax Rewrite(CatchClauseSyntax catchClause)
            => catchClause.WithCatchKeyword(catchClause.CatchKeyword.WithLeadingTrivia(
                catchClause.CatchKeyword.LeadingTrivia.Add(SyntaxFactory.Comment("/* again */")).Add(SyntaxFactory.Space)));
    }

    /// <summary>A fix whose output does not compile (returns a value from a void method).</summary>
    private sealed class BrokenFix : CatchClauseFix
    {
        protected override CatchClauseSyntax Rewrite(CatchClauseSyntax catchClause)
            => catchClause.WithBlock(((BlockSyntax)SyntaxFactory.ParseStatement("{ throw; return 1; }")).WithTriviaFrom(catchClause.Block));
    }

    /// <summary>Writes <c>System.GC</c> as a type name where its text parses to a member access.</summary>
    private sealed class QualifiedNameFix : CatchClauseFix
    {
        protected override CatchClauseSyntax Rewrite(CatchClauseSyntax catchClause)
        {
            var block = (BlockSyntax)SyntaxFactory.ParseStatement("{ System.GC.Collect(); throw; }");
            var gc = block.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Single(access => access.Name.Identifier.Text == "Collect").Expression;
            block = block.ReplaceNode(gc, SyntaxFactory.QualifiedName(SyntaxFactory.IdentifierName("System"), SyntaxFactory.IdentifierName("GC")).WithTriviaFrom(gc));
            return catchClause.WithBlock(block.WithTriviaFrom(catchClause.Block));
        }
    }

    /// <summary>Rethrows one catch at a time, but its Fix All fixes only the first catch of a document.</summary>
    private sealed class FixAllThatForgetsFix : CatchClauseFix
    {
        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = (await document.GetSyntaxRootAsync(context.CancellationToken))!;
            var first = root.FindNode(diagnostics.OrderBy(d => d.Location.SourceSpan.Start).First().Location.SourceSpan).FirstAncestorOrSelf<CatchClauseSyntax>()!;
            return document.WithSyntaxRoot(root.ReplaceNode(first, Rewrite(first)));
        });

        protected override CatchClauseSyntax Rewrite(CatchClauseSyntax catchClause)
            => catchClause.WithBlock(((BlockSyntax)SyntaxFactory.ParseStatement("{ throw; }")).WithTriviaFrom(catchClause.Block));
    }

    /// <summary>Offers two fixes: a comment ('first', key first), then throw; (key second).</summary>
    private sealed class CommentingFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var catchClause = root.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>()!;
            var commented = catchClause.Block.WithCloseBraceToken(catchClause.Block.CloseBraceToken.WithLeadingTrivia(SyntaxFactory.Comment("/* first */ ")));
            var rethrown = ((BlockSyntax)SyntaxFactory.ParseStatement("{ throw; }")).WithTriviaFrom(catchClause.Block);
            context.RegisterCodeFix(
                CodeAction.Create("first", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(catchClause.Block, commented))), "first"),
                context.Diagnostics);
            context.RegisterCodeFix(
                CodeAction.Create("second", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(catchClause.Block, rethrown))), "second"),
                context.Diagnostics);
        }
    }

    internal abstract class CatchClauseFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var catchClause = root.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>()!;
            context.RegisterCodeFix(
                CodeAction.Create("test fix", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(catchClause, Rewrite(catchClause)))), "test"),
                context.Diagnostics);
        }

        protected abstract CatchClauseSyntax Rewrite(CatchClauseSyntax catchClause);
    }
}
