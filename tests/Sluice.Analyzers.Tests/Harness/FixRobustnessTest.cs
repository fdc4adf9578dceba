using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>
/// A robustness test of a code fix: sources with no expected output, and by default no expectation on what the analyzer
/// reports (zero diagnostics is fine; markup in the sources is removed and ignored, so rule-test sources can be reused).
/// <see cref="ExpectingDiagnostics"/> and <see cref="ExpectingFixes"/> make a test fail rather than check nothing when the
/// analyzer stops reporting or the fix stops being offered.
/// <see cref="RunAsync"/> checks that the input compiles and the analyzer does not throw; then, for every diagnostic the
/// fix can handle and every code action it offers (every equivalence key), that <c>RegisterCodeFixesAsync</c> does not
/// throw, applying the action does not throw and gives a syntax tree that matches its text, and the result compiles;
/// then the same for Fix All in document scope, once per document and equivalence key.
/// </summary>
public sealed class FixRobustnessTest : TestProject<FixRobustnessTest>
{
    private readonly Func<FixRobustnessExpectations, CodeFixTest<DefaultVerifier>> _createRun;
    private FixRobustnessExpectations _expectations = FixRobustnessExpectations.None;

    internal FixRobustnessTest(Func<FixRobustnessExpectations, CodeFixTest<DefaultVerifier>> createRun) => _createRun = createRun;

    /// <summary>
    /// Requires the analyzer to report at least <paramref name="atLeast"/> diagnostics that the fix handles, and the fix
    /// to offer (and so apply) at least one action for at least one of them.
    /// </summary>
    public FixRobustnessTest ExpectingDiagnostics(int atLeast = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(atLeast, 1);
        _expectations = _expectations with { Diagnostics = atLeast, FixedDiagnostics = Math.Max(_expectations.FixedDiagnostics, 1) };
        return this;
    }

    /// <summary>Requires at least <paramref name="atLeast"/> of the diagnostics to get at least one action, each applied.</summary>
    public FixRobustnessTest ExpectingFixes(int atLeast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(atLeast, 1);
        _expectations = _expectations with { Diagnostics = Math.Max(_expectations.Diagnostics, atLeast), FixedDiagnostics = atLeast };
        return this;
    }

    public async Task RunAsync()
    {
        if (Sources.Count == 0)
        {
            throw new InvalidOperationException("A robustness test needs at least one source.");
        }

        var run = _createRun(_expectations);
        Describe(run.TestState, Sources.Select(source => Markup.Parse(source).Source));
        await run.RunAsync();
    }
}

/// <summary>What a robustness test requires at least: diagnostics the fix handles, and diagnostics it offers an action for.</summary>
internal sealed record FixRobustnessExpectations(int Diagnostics, int FixedDiagnostics)
{
    public static FixRobustnessExpectations None { get; } = new(0, 0);
}

/// <summary>The engine of <see cref="FixRobustnessTest"/>, on the library's project, analysis and code action application.</summary>
internal sealed class FixRobustnessRun<TAnalyzer, TCodeFix>(FixRobustnessExpectations expectations) : SluiceTest<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    protected override async Task RunImplAsync(CancellationToken cancellationToken)
    {
        var (project, diagnostics) = await AnalyzeInputAsync(cancellationToken);
        await AssertCompilesAsync(project, Verify, cancellationToken, "the input");
        foreach (var exception in diagnostics.Where(d => d.Id == "AD0001"))
        {
            Verify.Fail($"The analyzer threw: {exception.GetMessage()}");
        }

        var fix = GetCodeFixProviders().Single();
        var fixable = diagnostics.Where(d => fix.FixableDiagnosticIds.Contains(d.Id) && project.GetDocument(d.Location.SourceTree) is not null).ToList();
        if (fixable.Count < expectations.Diagnostics)
        {
            Verify.Fail(
                $"Expected the analyzer to report at least {expectations.Diagnostics} diagnostic(s) that {typeof(TCodeFix).Name} handles "
                + $"({string.Join(", ", fix.FixableDiagnosticIds)}), but it reported {fixable.Count}:{Listed(fixable)}");
        }

        // One diagnostic per document and equivalence key, to start Fix All from.
        var fixAllStarts = new Dictionary<(DocumentId Document, string? Key), Diagnostic>();
        var unfixed = new List<Diagnostic>();
        foreach (var diagnostic in fixable)
        {
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            var verifier = Verify.PushContext($"{typeof(TCodeFix).Name} on {Describe(diagnostic)}");
            var actions = ImmutableArray<CodeAction>.Empty;
            await Guard(async () => actions = await OfferedActionsAsync(fix, document, diagnostic, cancellationToken), verifier, "RegisterCodeFixesAsync threw");

            foreach (var action in actions)
            {
                var actionVerifier = verifier.PushContext($"action '{action.Title}' (equivalence key {action.EquivalenceKey ?? "null"})");
                var fixedProject = await ApplyAsync(project, action, actionVerifier, cancellationToken);
                await AssertCompilesAsync(fixedProject, actionVerifier, cancellationToken);
                fixAllStarts.TryAdd((document.Id, action.EquivalenceKey), diagnostic);
            }

            if (actions.IsEmpty)
            {
                unfixed.Add(diagnostic);
            }
        }

        if (fixable.Count - unfixed.Count < expectations.FixedDiagnostics)
        {
            Verify.Fail(
                $"Expected {typeof(TCodeFix).Name} to offer an action for at least {expectations.FixedDiagnostics} diagnostic(s), "
                + $"but it offered one for {fixable.Count - unfixed.Count} of {fixable.Count}. No action for:{Listed(unfixed)}");
        }

        var fixAll = fix.GetFixAllProvider();
        if (fixAll is null || !fixAll.GetSupportedFixAllScopes().Contains(FixAllScope.Document))
        {
            return;
        }

        foreach (var ((documentId, key), diagnostic) in fixAllStarts)
        {
            var verifier = Verify.PushContext($"Fix All in document scope with equivalence key {key ?? "null"}, from {Describe(diagnostic)}");
            var context = CreateFixAllContext(
                project.GetDocument(documentId),
                diagnostic.Location.SourceSpan,
                project,
                fix,
                FixAllScope.Document,
                key,
                fixAll.GetSupportedFixAllDiagnosticIds(fix),
                diagnostic.Severity,
                new KnownDiagnostics(diagnostics),
                cancellationToken);
            CodeAction? action = null;
            await Guard(async () => action = await fixAll.GetFixAsync(context), verifier, "GetFixAsync threw");
            if (action is null)
            {
                verifier.Fail("Fix All produced no action, although the fix offers this equivalence key here.");
            }

            var fixedProject = await ApplyAsync(project, action, verifier, cancellationToken);
            await AssertCompilesAsync(fixedProject, verifier, cancellationToken);
        }
    }

    private async Task<Project> ApplyAsync(Project project, CodeAction action, IVerifier verifier, CancellationToken cancellationToken)
    {
        Project? fixedProject = null;
        ExceptionDispatchInfo? treeMismatch = null;
        await Guard(
            // The library's tree comparison reports through the verifier it is given: without this context, added once below.
            async () => (fixedProject, treeMismatch) = await ApplyCodeActionAsync(project, action, Verify, cancellationToken),
            verifier,
            "applying the action threw");
        if (treeMismatch is not null)
        {
            verifier.Fail($"the syntax tree the action produced is not the one its text parses to:\n{treeMismatch.SourceException.Message}");
        }

        return fixedProject!;
    }

    private static async Task Guard(Func<Task> step, IVerifier verifier, string what)
    {
        try
        {
            await step();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            verifier.Fail($"{what}: {exception}");
        }
    }

    private static async Task AssertCompilesAsync(Project project, IVerifier verifier, CancellationToken cancellationToken, string what = "the result")
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken))!;
        var errors = compilation.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0)
        {
            return;
        }

        var message = new StringBuilder($"{what} does not compile:\n");
        foreach (var error in errors)
        {
            message.AppendLine($"  {Describe(error)}");
        }

        foreach (var document in project.Documents)
        {
            message.AppendLine($"--- {document.Name} ---").AppendLine((await document.GetTextAsync(cancellationToken)).ToString());
        }

        verifier.Fail(message.ToString());
    }

    private static string Listed(IEnumerable<Diagnostic> diagnostics)
        => string.Concat(diagnostics.Select(d => $"\n  {Describe(d)}"));

    private static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var where = diagnostic.Location.IsInSource
            ? $"{Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})"
            : "(no location)";
        return $"{diagnostic.Id} at {where}: {diagnostic.GetMessage()}";
    }

    /// <summary>Gives Fix All the diagnostics computed once on the input.</summary>
    private sealed class KnownDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(diagnostics.Where(d => !d.Location.IsInSource));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
