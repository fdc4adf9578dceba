using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sluice.Analyzers.Reliability;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary><see cref="Verify.FixesOf{TAnalyzer, TCodeFix}"/> must pass a sound fix and catch each way a fix can break.</summary>
public class FixRobustnessTests
{
    // Two catches SLU201 reports: each drops the record of a loop over a batch handed in.
    private const string TwoCatches = """
        class C
        {
            void M(string[] lines)
            {
                foreach (var line in lines)
                {
                    try { line.Trim(); } [|catch|] { }
                }

                foreach (var line in lines)
                {
                    try { line.Trim(); } [|catch|] { }
                }
            }
        }
        """;

    [Fact]
    public Task Every_fix_of_a_sound_code_fix_registers_applies_and_compiles()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource(TwoCatches)
            .WithSource("class D { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } catch (System.Exception) { } } } }")
            .WithLibraries(Library.Logging, Library.SluiceRuntime)
            .RunAsync();

    [Fact]
    public Task Sources_where_the_analyzer_reports_nothing_pass()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource("class C { void M() { try { } catch { throw; } } }")
            .RunAsync();

    [Fact]
    public Task A_test_expecting_diagnostics_passes_when_they_are_reported_and_fixed()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource(TwoCatches)
            .ExpectingDiagnostics(2)
            .ExpectingFixes(2)
            .RunAsync();

    [Fact]
    public async Task A_test_expecting_diagnostics_fails_when_the_analyzer_reports_nothing()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
                .WithSource("class C { void M() { try { } catch { throw; } } }")
                .ExpectingDiagnostics()
                .RunAsync());
        Assert.Contains("Expected the analyzer to report at least 1 diagnostic(s) that SwallowedExceptionCodeFix handles (SLU201), but it reported 0", failure.Message);
    }

    [Fact]
    public async Task A_test_expecting_diagnostics_fails_when_fewer_are_reported()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>().WithSource(TwoCatches).ExpectingDiagnostics(3).RunAsync());
        Assert.Contains("at least 3 diagnostic(s)", failure.Message);
        Assert.Contains("but it reported 2:", failure.Message);
        Assert.Contains("SLU201 at Test0.cs(7,34)", failure.Message);
    }

    [Fact]
    public async Task A_test_expecting_diagnostics_fails_when_the_fix_offers_nothing()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, OffersNothing>().WithSource(TwoCatches).ExpectingDiagnostics().RunAsync());
        Assert.Contains("Expected OffersNothing to offer an action for at least 1 diagnostic(s), but it offered one for 0 of 2", failure.Message);
    }

    [Fact]
    public async Task A_test_expecting_fixes_fails_when_one_diagnostic_gets_no_action()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, FixesTheFirstCatchOnly>().WithSource(TwoCatches).ExpectingFixes(2).RunAsync());
        Assert.Contains("but it offered one for 1 of 2. No action for:", failure.Message);
        Assert.Contains("SLU201 at Test0.cs(12,34)", failure.Message);
    }

    [Fact]
    public async Task An_input_that_does_not_compile_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>().WithSource("class C { void M() { Missing(); } }").RunAsync());
        Assert.Contains("the input does not compile", failure.Message);
        Assert.Contains("CS0103", failure.Message);
    }

    [Fact]
    public async Task A_fix_that_throws_while_registering_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, ThrowsWhileRegistering>().WithSource(TwoCatches).RunAsync());
        Assert.Contains("ThrowsWhileRegistering on SLU201 at Test0.cs(7,34)", failure.Message);
        Assert.Contains("RegisterCodeFixesAsync threw", failure.Message);
        Assert.Contains("fix bug", failure.Message);
    }

    [Fact]
    public async Task An_action_that_throws_when_applied_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, TwoFixesOneThrows>().WithSource(TwoCatches).RunAsync());
        Assert.Contains("action 'throws' (equivalence key throws)", failure.Message);
        Assert.Contains("applying the action threw", failure.Message);
    }

    [Fact]
    public async Task Every_equivalence_key_is_applied_and_one_whose_output_does_not_compile_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, SecondFixDoesNotCompile>().WithSource(TwoCatches).RunAsync());
        Assert.Contains("action 'returns a value' (equivalence key broken)", failure.Message);
        Assert.Contains("the result does not compile", failure.Message);
        Assert.Contains("CS0127", failure.Message);
    }

    [Fact]
    public async Task A_Fix_All_whose_output_does_not_compile_fails_though_each_fix_compiles()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, FixAllDoesNotCompile>().WithSource(TwoCatches).RunAsync());
        Assert.Contains("Fix All in document scope with equivalence key rethrow", failure.Message);
        Assert.Contains("the result does not compile", failure.Message);
    }

    [Fact]
    public async Task A_fix_whose_tree_is_not_what_its_text_parses_to_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Verify.FixesOf<SwallowedExceptionAnalyzer, QualifiedNameInExpression>().WithSource(TwoCatches).RunAsync());
        Assert.Contains("the syntax tree the action produced is not the one its text parses to", failure.Message);
    }

    // ---- Deliberately broken fixes -----------------------------------------------------------------

    private sealed class ThrowsWhileRegistering : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => throw new InvalidOperationException("fix bug");
    }

    private sealed class OffersNothing : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => Task.CompletedTask;
    }

    /// <summary>Offers throw; for the first catch of a document only.</summary>
    private sealed class FixesTheFirstCatchOnly : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var catchClause = root.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>()!;
            if (catchClause != root.DescendantNodes().OfType<CatchClauseSyntax>().First())
            {
                return;
            }

            var rethrow = catchClause.WithBlock(((BlockSyntax)SyntaxFactory.ParseStatement("{ throw; }")).WithTriviaFrom(catchClause.Block));
            context.RegisterCodeFix(
                CodeAction.Create("throw;", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(catchClause, rethrow))), "rethrow"),
                context.Diagnostics);
        }
    }

    /// <summary>Offers throw; (key rethrow) and an action that throws when its changes are computed (key throws).</summary>
    private sealed class TwoFixesOneThrows : CatchFix
    {
        protected override IEnumerable<(string Title, string Key, Func<CatchClauseSyntax, CatchClauseSyntax> Rewrite)> Fixes
            => [("throw;", "rethrow", Rethrow), ("throws", "throws", _ => throw new InvalidOperationException("fix bug"))];
    }

    /// <summary>Offers throw; (key rethrow), then a block that returns a value from a void method (key broken).</summary>
    private sealed class SecondFixDoesNotCompile : CatchFix
    {
        protected override IEnumerable<(string Title, string Key, Func<CatchClauseSyntax, CatchClauseSyntax> Rewrite)> Fixes
            => [("throw;", "rethrow", Rethrow), ("returns a value", "broken", c => WithBlock(c, "{ return 1; }"))];
    }

    /// <summary>Each throw; compiles, but its Fix All declares a local in each catch of a document, twice in one scope.</summary>
    private sealed class FixAllDoesNotCompile : CatchFix
    {
        protected override IEnumerable<(string Title, string Key, Func<CatchClauseSyntax, CatchClauseSyntax> Rewrite)> Fixes
            => [("throw;", "rethrow", Rethrow)];

        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = (await document.GetSyntaxRootAsync(context.CancellationToken))!;
            var method = root.DescendantNodes().OfType<MethodDeclarationSyntax>().First();
            var statement = SyntaxFactory.ParseStatement("int duplicate = 0;");
            return document.WithSyntaxRoot(root.ReplaceNode(method, method.WithBody(method.Body!.AddStatements(statement, statement))));
        });
    }

    /// <summary>Writes <c>System.GC.Collect()</c> with <c>System.GC</c> as a type name, where its text parses to a member access.</summary>
    private sealed class QualifiedNameInExpression : CatchFix
    {
        protected override IEnumerable<(string Title, string Key, Func<CatchClauseSyntax, CatchClauseSyntax> Rewrite)> Fixes
            => [("collect", "collect", Collect)];

        private static CatchClauseSyntax Collect(CatchClauseSyntax catchClause)
        {
            var block = (BlockSyntax)SyntaxFactory.ParseStatement("{ System.GC.Collect(); throw; }");
            var gc = block.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Single(access => access.Name.Identifier.Text == "Collect").Expression;
            block = block.ReplaceNode(gc, SyntaxFactory.QualifiedName(SyntaxFactory.IdentifierName("System"), SyntaxFactory.IdentifierName("GC")).WithTriviaFrom(gc));
            return catchClause.WithBlock(block.WithTriviaFrom(catchClause.Block));
        }
    }

    private abstract class CatchFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        protected abstract IEnumerable<(string Title, string Key, Func<CatchClauseSyntax, CatchClauseSyntax> Rewrite)> Fixes { get; }

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var catchClause = root.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>()!;
            foreach (var (title, key, rewrite) in Fixes)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(catchClause, rewrite(catchClause)))), key),
                    context.Diagnostics);
            }
        }

        protected static CatchClauseSyntax Rethrow(CatchClauseSyntax catchClause) => WithBlock(catchClause, "{ throw; }");

        protected static CatchClauseSyntax WithBlock(CatchClauseSyntax catchClause, string block)
            => catchClause.WithBlock(((BlockSyntax)SyntaxFactory.ParseStatement(block)).WithTriviaFrom(catchClause.Block));
    }
}
