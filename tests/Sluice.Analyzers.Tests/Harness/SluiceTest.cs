using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Testing.Model;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>Where the harness puts a test's files.</summary>
internal static class SluiceTest
{
    /// <summary>The library's default document prefix: documents are <c>/0/Test0.cs</c>, <c>/0/Test1.cs</c>...</summary>
    public const string PathPrefix = "/0/Test";

    /// <summary>At the root, so it applies to every document.</summary>
    public const string EditorConfigPath = "/.editorconfig";

    /// <summary>
    /// No reference assemblies from packages: the framework is the test host's own shared framework, added with the
    /// libraries as additional references (<see cref="Library.Framework"/>), so nothing is downloaded at test time.
    /// With no package to resolve, the library resolves this to an empty set without touching a package source.
    /// </summary>
    public static ReferenceAssemblies NoPackages { get; } = new("net10.0");

    public static string SourcePath(int index) => $"{PathPrefix}{index}.cs";
}

/// <summary>
/// Microsoft.CodeAnalysis.Testing's code-fix test with Sluice's project settings: C# latest with nullable enabled,
/// the test host's framework as references, the test's sources as given (markup already processed by the harness).
/// An analyzer-only test uses <see cref="EmptyCodeFixProvider"/>.
/// </summary>
internal class SluiceTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public SluiceTest()
    {
        ReferenceAssemblies = SluiceTest.NoPackages;

        // The tests have one project, where Fix All in solution scope is Fix All in project scope run again.
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInSolutionCheck;
    }

    /// <summary>
    /// After the diagnostics are verified, asserts that the fix offers no action with <see cref="CodeActionTest{TVerifier}.CodeActionEquivalenceKey"/>
    /// (any action when null) for any diagnostic of the input. The fixed state stays empty: there is nothing to apply.
    /// </summary>
    public bool ExpectNoFix { get; set; }

    protected override CompilationOptions CreateCompilationOptions()
        => new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    protected override ParseOptions CreateParseOptions()
        => new CSharpParseOptions(LanguageVersion.Latest);

    protected override async Task RunImplAsync(CancellationToken cancellationToken)
    {
        await base.RunImplAsync(cancellationToken);
        if (!ExpectNoFix)
        {
            return;
        }

        var (project, diagnostics) = await AnalyzeInputAsync(cancellationToken);
        var fix = GetCodeFixProviders().Single();
        foreach (var diagnostic in diagnostics.Where(d => fix.FixableDiagnosticIds.Contains(d.Id)))
        {
            var actions = await OfferedActionsAsync(fix, project.GetDocument(diagnostic.Location.SourceTree)!, diagnostic, cancellationToken);
            var offending = actions.FirstOrDefault(action => CodeActionEquivalenceKey is null || action.EquivalenceKey == CodeActionEquivalenceKey);
            if (offending is not null)
            {
                Verify.Fail($"Expected no fix{(CodeActionEquivalenceKey is null ? "" : $" '{CodeActionEquivalenceKey}'")} for {diagnostic}, but '{offending.Title}' was offered.");
            }
        }
    }

    /// <summary>The input as a project, with what the analyzer reports on it (and the compiler's errors, if any).</summary>
    protected async Task<(Project Project, ImmutableArray<Diagnostic> Diagnostics)> AnalyzeInputAsync(CancellationToken cancellationToken)
    {
        var state = TestState.WithInheritedValuesApplied(null, []);
        var project = await CreateProjectAsync(new EvaluatedProjectState(state, ReferenceAssemblies), [], cancellationToken);
        var diagnostics = await GetSortedDiagnosticsAsync(project.Solution, GetDiagnosticAnalyzers().ToImmutableArray(), [], CompilerDiagnostics, Verify, cancellationToken);
        return (project, diagnostics.Select(pair => pair.diagnostic).ToImmutableArray());
    }

    /// <summary>The code actions <paramref name="fix"/> registers for <paramref name="diagnostic"/>, nested ones flattened.</summary>
    protected async Task<ImmutableArray<CodeAction>> OfferedActionsAsync(CodeFixProvider fix, Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = CreateCodeFixContext(document, diagnostic.Location.SourceSpan, [diagnostic], (action, _) => actions.Add(action), cancellationToken);
        await fix.RegisterCodeFixesAsync(context);
        return FilterCodeActions(actions.ToImmutable());
    }
}
