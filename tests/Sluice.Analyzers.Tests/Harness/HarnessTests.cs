using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Sluice.Analyzers.Reliability;
using Sluice.CodeFixes.Reliability;
using Xunit.Sdk;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>The harness must fail loudly for each way a rule test can be wrong.</summary>
public class HarnessTests
{
    // A catch SLU201 reports: it drops the record of a loop over a batch handed in.
    private const string EmptyCatch = "class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } [|catch|] { } } } }";

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
    public async Task A_diagnostic_missing_from_the_markup_fails()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(EmptyCatch.Replace("[|", "").Replace("|]", "")).RunAsync());
        Assert.Contains("unexpected SLU201 at Test0.cs(1,73)", failure.Message);
    }

    [Fact]
    public async Task Markup_with_no_diagnostic_fails()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("class C { [|void M() { }|] }").RunAsync());
        Assert.Contains("missing    SLU201", failure.Message);
    }

    [Fact]
    public async Task Input_that_does_not_compile_fails_with_the_compiler_errors()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("class C { void M() { Missing(); } }").RunAsync());
        Assert.Contains("CS0103", failure.Message);
    }

    [Fact]
    public async Task A_library_that_is_not_referenced_is_not_visible()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource("using Microsoft.Extensions.Logging; class C { }").RunAsync());
        Assert.Contains("CS0234", failure.Message);

        await Verify.Analyzer<SwallowedExceptionAnalyzer>()
            .WithSource("using Microsoft.Extensions.Logging; class C { }")
            .WithLibraries(Library.Logging)
            .RunAsync();
    }

    [Fact]
    public async Task A_wrong_fixed_source_fails_with_the_first_differing_line()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource("class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } catch { } } } }")
                .RunAsync());
        Assert.Contains("first difference at line 1", failure.Message);
    }

    [Fact]
    public async Task A_fix_offered_where_none_is_expected_fails()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.RethrowKey)
                .WithSource(EmptyCatch)
                .ExpectNoFix()
                .RunAsync());
        Assert.Contains("was offered", failure.Message);
    }

    [Fact]
    public async Task A_fix_that_never_removes_its_diagnostic_is_stopped_by_the_loop_guard()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, CommentOnlyFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource("unused")
                .RunAsync());
        Assert.Contains("did not converge", failure.Message);
    }

    [Fact]
    public async Task A_fix_whose_output_does_not_compile_fails()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(
            () => Verify.CodeFix<SwallowedExceptionAnalyzer, BrokenFix>()
                .WithSource(EmptyCatch)
                .WithFixedSource("class C { void M(string[] l) { foreach (var x in l) { try { x.Trim(); } catch { throw; return 1; } } } }")
                .RunAsync());
        Assert.Contains("The fixed output", failure.Message);
        Assert.Contains("does not compile", failure.Message);
    }

    /// <summary>A fix that changes the document but leaves the diagnostic in place.</summary>
    private sealed class CommentOnlyFix : CatchBlockFix
    {
        protected override BlockSyntax Rewrite(BlockSyntax block)
            => block.WithCloseBraceToken(block.CloseBraceToken.WithLeadingTrivia(Microsoft.CodeAnalysis.CSharp.SyntaxFactory.Comment("/* looked at */")));
    }

    /// <summary>A fix whose output does not compile (returns a value from a void method).</summary>
    private sealed class BrokenFix : CatchBlockFix
    {
        protected override BlockSyntax Rewrite(BlockSyntax block)
            => ((BlockSyntax)Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseStatement("{ throw; return 1; }")).WithTriviaFrom(block);
    }

    private abstract class CatchBlockFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => [RuleIds.SwallowedException];

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var block = root.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>()!.Block;
            context.RegisterCodeFix(
                CodeAction.Create("test fix", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(block, Rewrite(block)))), "test"),
                context.Diagnostics);
        }

        protected abstract BlockSyntax Rewrite(BlockSyntax block);
    }
}
