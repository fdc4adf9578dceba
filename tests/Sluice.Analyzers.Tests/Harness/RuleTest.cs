using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>Entry points of the harness.</summary>
public static class Verify
{
    /// <summary>A test of an analyzer alone: the sources' markup is the complete list of expected diagnostics.</summary>
    public static RuleTest Analyzer<TAnalyzer>()
        where TAnalyzer : DiagnosticAnalyzer, new()
        => new(new TAnalyzer(), codeFix: null, equivalenceKey: null);

    /// <summary>
    /// A test of a code fix. <paramref name="equivalenceKey"/> picks which of the fixes offered is applied
    /// (null: the first one offered, as <c>dotnet format</c> does).
    /// </summary>
    public static RuleTest CodeFix<TAnalyzer, TCodeFix>(string? equivalenceKey = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => new(new TAnalyzer(), new TCodeFix(), equivalenceKey);
}

/// <summary>
/// One analyzer or code-fix test: sources with markup, the libraries they reference, .editorconfig options,
/// and (for a fix) the expected fixed sources. <see cref="RunAsync"/> checks, in order:
/// the input compiles; the analyzer reports exactly the markup; then, for a fix, applying it one diagnostic at a
/// time, with Fix All in document scope and with Fix All in project scope, each gives exactly the fixed sources
/// (whose markup lists the diagnostics that must remain), and the fixed sources compile.
/// </summary>
public sealed class RuleTest
{
    private const string SourceDirectory = "/sluice-test/";
    private const int MaxFixAllPasses = 3;

    private readonly DiagnosticAnalyzer _analyzer;
    private readonly CodeFixProvider? _codeFix;
    private readonly string? _equivalenceKey;
    private readonly List<string> _sources = [];
    private readonly List<string> _fixedSources = [];
    private readonly List<Library> _libraries = [];
    private readonly List<string> _editorConfigLines = [];
    private readonly List<string> _expectedMessages = [];
    private bool _expectNoFix;
    private OutputKind _outputKind = OutputKind.DynamicallyLinkedLibrary;

    internal RuleTest(DiagnosticAnalyzer analyzer, CodeFixProvider? codeFix, string? equivalenceKey)
    {
        _analyzer = analyzer;
        _codeFix = codeFix;
        _equivalenceKey = equivalenceKey;
    }

    private string DefaultId => _analyzer.SupportedDiagnostics[0].Id;

    /// <summary>Adds a source document (<c>Test0.cs</c>, <c>Test1.cs</c>...) with diagnostic markup.</summary>
    public RuleTest WithSource(string markup)
    {
        _sources.Add(markup);
        return this;
    }

    /// <summary>Adds the expected fixed form of the source with the same index; its markup lists what must remain.</summary>
    public RuleTest WithFixedSource(string markup)
    {
        _fixedSources.Add(markup);
        return this;
    }

    /// <summary>References these libraries in addition to the .NET framework.</summary>
    public RuleTest WithLibraries(params Library[] libraries)
    {
        _libraries.AddRange(libraries);
        return this;
    }

    /// <summary>Adds lines under <c>[*.cs]</c> of the project's .editorconfig, e.g. <c>sluice.SLU201.x = true</c>.</summary>
    public RuleTest WithEditorConfig(params string[] lines)
    {
        _editorConfigLines.AddRange(lines);
        return this;
    }

    /// <summary>Expects these messages, in source order, for the diagnostics of the rule under test.</summary>
    public RuleTest WithMessages(params string[] messages)
    {
        _expectedMessages.AddRange(messages);
        return this;
    }

    /// <summary>Compiles the sources as an executable (for top-level statements).</summary>
    public RuleTest AsExecutable()
    {
        _outputKind = OutputKind.ConsoleApplication;
        return this;
    }

    /// <summary>Asserts that the fix (with the test's equivalence key, or any fix when none) is not offered.</summary>
    public RuleTest ExpectNoFix()
    {
        _expectNoFix = true;
        return this;
    }

    public async Task RunAsync()
    {
        if (_sources.Count == 0)
        {
            throw new InvalidOperationException("A rule test needs at least one source.");
        }

        var parsed = _sources.Select(Markup.Parse).ToList();
        var project = CreateProject(parsed.Select(p => p.Source).ToList());
        await AssertCompilesAsync(project, "The test input");
        var diagnostics = await GetDiagnosticsAsync(project);
        await AssertDiagnosticsAsync(project, diagnostics, parsed.Select(p => p.Expected).ToList(), "input");
        AssertMessages(diagnostics);

        if (_codeFix is null)
        {
            return;
        }

        if (_expectNoFix)
        {
            await AssertNoFixOfferedAsync(project, diagnostics);
            return;
        }

        if (_fixedSources.Count != _sources.Count)
        {
            throw new InvalidOperationException("A code-fix test needs one fixed source per source (or ExpectNoFix()).");
        }

        var expected = _fixedSources.Select(Markup.Parse).ToList();
        await AssertFixedAsync(await ApplyOneByOneAsync(project, diagnostics.Count), expected, "applying the fix one diagnostic at a time");
        await AssertFixedAsync(await ApplyFixAllAsync(project, FixAllScope.Document), expected, "Fix All in document scope");
        await AssertFixedAsync(await ApplyFixAllAsync(project, FixAllScope.Project), expected, "Fix All in project scope");
    }

    private Project CreateProject(IReadOnlyList<string> sources)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var references = Library.Framework.Concat(_libraries.SelectMany(library => library.References)).Distinct();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Default,
            "TestProject",
            "TestProject",
            LanguageNames.CSharp,
            filePath: SourceDirectory + "TestProject.csproj",
            compilationOptions: new CSharpCompilationOptions(_outputKind, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: references));

        for (var i = 0; i < sources.Count; i++)
        {
            var name = $"Test{i}.cs";
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId, name), name, SourceText.From(sources[i]), filePath: SourceDirectory + name);
        }

        var editorConfig = "root = true\n\n[*.cs]\n" + string.Join("\n", _editorConfigLines) + "\n";
        solution = solution.AddAnalyzerConfigDocument(
            DocumentId.CreateNewId(projectId, ".editorconfig"),
            ".editorconfig",
            SourceText.From(editorConfig),
            filePath: SourceDirectory + ".editorconfig");
        return solution.GetProject(projectId)!;
    }

    private static async Task AssertCompilesAsync(Project project, string what)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new XunitException($"{what} does not compile:\n{Describe(project, errors)}\n\n{await DumpAsync(project)}");
        }
    }

    private async Task<IReadOnlyList<Diagnostic>> GetDiagnosticsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation
            .WithAnalyzers(ImmutableArray.Create(_analyzer), options)
            .GetAnalyzerDiagnosticsAsync();
        if (exceptions.Count > 0)
        {
            throw new AggregateException("The analyzer threw.", exceptions);
        }

        return diagnostics
            .Where(d => d.Location.IsInSource)
            .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToList();
    }

    private async Task AssertDiagnosticsAsync(Project project, IReadOnlyList<Diagnostic> actual, IReadOnlyList<IReadOnlyList<ExpectedDiagnostic>> expectedPerDocument, string state)
    {
        var documents = project.Documents.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        var expected = documents
            .SelectMany((document, index) => expectedPerDocument[index].Select(e => (File: document.FilePath!, Id: e.Id ?? DefaultId, e.Span)))
            .ToHashSet();
        var found = actual.Select(d => (File: d.Location.SourceTree!.FilePath, d.Id, Span: d.Location.SourceSpan)).ToHashSet();

        if (expected.SetEquals(found))
        {
            return;
        }

        var missing = expected.Except(found).ToList();
        var unexpected = actual.Where(d => !expected.Contains((d.Location.SourceTree!.FilePath, d.Id, d.Location.SourceSpan))).ToList();
        var message = new StringBuilder($"Diagnostics of the {state} do not match its markup.\n");
        foreach (var (file, id, span) in missing)
        {
            var tree = (await documents.Single(d => d.FilePath == file).GetSyntaxTreeAsync())!;
            message.AppendLine($"  missing    {id} at {Path.GetFileName(file)}{Position(tree, span)}: '{tree.GetText().ToString(span)}'");
        }

        foreach (var diagnostic in unexpected)
        {
            var tree = diagnostic.Location.SourceTree!;
            message.AppendLine($"  unexpected {diagnostic.Id} at {Path.GetFileName(tree.FilePath)}{Position(tree, diagnostic.Location.SourceSpan)}: "
                + $"'{tree.GetText().ToString(diagnostic.Location.SourceSpan)}' ({diagnostic.GetMessage()})");
        }

        throw new XunitException(message.ToString());
    }

    private void AssertMessages(IReadOnlyList<Diagnostic> diagnostics)
    {
        if (_expectedMessages.Count == 0)
        {
            return;
        }

        var actual = diagnostics.Where(d => d.Id == DefaultId).Select(d => d.GetMessage()).ToList();
        Assert.Equal(_expectedMessages, actual);
    }

    private async Task AssertNoFixOfferedAsync(Project project, IReadOnlyList<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics.Where(d => _codeFix!.FixableDiagnosticIds.Contains(d.Id)))
        {
            var actions = await GetActionsAsync(project, diagnostic);
            var offending = actions.Where(a => _equivalenceKey is null || a.EquivalenceKey == _equivalenceKey).ToList();
            if (offending.Count > 0)
            {
                throw new XunitException(
                    $"Expected no fix{(_equivalenceKey is null ? "" : $" '{_equivalenceKey}'")} for {diagnostic}, but '{offending[0].Title}' was offered.");
            }
        }
    }

    private async Task<Project> ApplyOneByOneAsync(Project project, int initialDiagnostics)
    {
        // Each pass fixes one diagnostic; more passes than diagnostics means the fix feeds itself.
        var maxPasses = initialDiagnostics + 1;
        for (var pass = 0; ; pass++)
        {
            var diagnostics = await GetDiagnosticsAsync(project);
            CodeAction? chosen = null;
            foreach (var diagnostic in diagnostics.Where(d => _codeFix!.FixableDiagnosticIds.Contains(d.Id)))
            {
                chosen = (await GetActionsAsync(project, diagnostic)).FirstOrDefault(a => _equivalenceKey is null || a.EquivalenceKey == _equivalenceKey);
                if (chosen is not null)
                {
                    break;
                }
            }

            if (chosen is null)
            {
                return project;
            }

            if (pass == maxPasses)
            {
                throw new XunitException($"The fix did not converge: still offered after {maxPasses} passes.\n\n{await DumpAsync(project)}");
            }

            project = await ApplyAsync(project, chosen);
        }
    }

    private async Task<Project> ApplyFixAllAsync(Project project, FixAllScope scope)
    {
        var fixAllProvider = _codeFix!.GetFixAllProvider()
            ?? throw new XunitException($"{_codeFix.GetType().Name} has no Fix All provider.");

        // Document scope fixes one document per pass, so it may take a pass per document.
        var maxPasses = MaxFixAllPasses * (scope == FixAllScope.Document ? project.Documents.Count() : 1);
        for (var pass = 0; pass < maxPasses; pass++)
        {
            var diagnostics = (await GetDiagnosticsAsync(project)).Where(d => _codeFix.FixableDiagnosticIds.Contains(d.Id)).ToList();
            string? key = null;
            Diagnostic? first = null;
            foreach (var diagnostic in diagnostics)
            {
                key = (await GetActionsAsync(project, diagnostic)).FirstOrDefault(a => _equivalenceKey is null || a.EquivalenceKey == _equivalenceKey)?.EquivalenceKey;
                if (key is not null)
                {
                    first = diagnostic;
                    break;
                }
            }

            if (first is null)
            {
                return project;
            }

            var provider = new FixedDiagnosticProvider(diagnostics);
            var context = scope == FixAllScope.Document
                ? new FixAllContext(project.GetDocument(first.Location.SourceTree)!, _codeFix, scope, key, _codeFix.FixableDiagnosticIds, provider, CancellationToken.None)
                : new FixAllContext(project, _codeFix, scope, key, _codeFix.FixableDiagnosticIds, provider, CancellationToken.None);
            var action = await fixAllProvider.GetFixAsync(context)
                ?? throw new XunitException($"Fix All in {scope} scope produced no action.");
            project = await ApplyAsync(project, action);
        }

        throw new XunitException($"Fix All in {scope} scope did not converge after {maxPasses} passes.\n\n{await DumpAsync(project)}");
    }

    private async Task<IReadOnlyList<CodeAction>> GetActionsAsync(Project project, Diagnostic diagnostic)
    {
        var document = project.GetDocument(diagnostic.Location.SourceTree)!;
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await _codeFix!.RegisterCodeFixesAsync(context);
        return actions;
    }

    private static async Task<Project> ApplyAsync(Project project, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = operations.OfType<ApplyChangesOperation>().Single();
        return apply.ChangedSolution.GetProject(project.Id)!;
    }

    private async Task AssertFixedAsync(Project project, IReadOnlyList<(string Source, IReadOnlyList<ExpectedDiagnostic> Expected)> expected, string how)
    {
        var documents = project.Documents.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        for (var i = 0; i < documents.Count; i++)
        {
            var actual = Normalize((await documents[i].GetTextAsync()).ToString());
            var wanted = Normalize(expected[i].Source);
            if (actual != wanted)
            {
                throw new XunitException($"{how}: {documents[i].Name} differs from the expected fixed source.\n{Diff(wanted, actual)}\n--- actual ---\n{actual}");
            }
        }

        await AssertCompilesAsync(project, $"The fixed output ({how})");
        await AssertDiagnosticsAsync(project, await GetDiagnosticsAsync(project), expected.Select(e => e.Expected).ToList(), $"fixed output ({how})");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Diff(string expected, string actual)
    {
        var wantedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(wantedLines.Length, actualLines.Length); i++)
        {
            var wanted = i < wantedLines.Length ? wantedLines[i] : "<end of file>";
            var got = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (wanted != got)
            {
                return $"first difference at line {i + 1}:\n  expected: {wanted}\n  actual:   {got}";
            }
        }

        return "they differ only in line endings";
    }

    private static string Position(SyntaxTree tree, TextSpan span)
    {
        var position = tree.GetLineSpan(span).StartLinePosition;
        return $"({position.Line + 1},{position.Character + 1})";
    }

    private static string Describe(Project project, IEnumerable<Diagnostic> diagnostics)
        => string.Join("\n", diagnostics.Select(d =>
            $"  {Path.GetFileName(d.Location.SourceTree?.FilePath)}{(d.Location.SourceTree is null ? "" : Position(d.Location.SourceTree, d.Location.SourceSpan))}: {d.Id} {d.GetMessage()}"));

    private static async Task<string> DumpAsync(Project project)
    {
        var text = new StringBuilder();
        foreach (var document in project.Documents.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            text.AppendLine($"--- {document.Name} ---").AppendLine((await document.GetTextAsync()).ToString());
        }

        return text.ToString();
    }

    /// <summary>Gives Fix All the diagnostics computed by the harness, per document or project.</summary>
    private sealed class FixedDiagnosticProvider(IReadOnlyList<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
