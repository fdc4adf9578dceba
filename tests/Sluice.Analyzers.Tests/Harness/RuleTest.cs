using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>Entry points of the harness.</summary>
public static class Verify
{
    /// <summary>A test of an analyzer alone: the sources' markup is the complete list of expected diagnostics.</summary>
    public static RuleTest Analyzer<TAnalyzer>()
        where TAnalyzer : DiagnosticAnalyzer, new()
        => new(new TAnalyzer().SupportedDiagnostics, _ => new SluiceTest<TAnalyzer, EmptyCodeFixProvider>(), hasFix: false, equivalenceKey: null);

    /// <summary>
    /// A test of a code fix. <paramref name="equivalenceKey"/> picks which of the fixes offered is applied
    /// (null: the first one offered, as <c>dotnet format</c> does).
    /// </summary>
    public static RuleTest CodeFix<TAnalyzer, TCodeFix>(string? equivalenceKey = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => new(new TAnalyzer().SupportedDiagnostics, expectNoFix => new SluiceTest<TAnalyzer, TCodeFix> { ExpectNoFix = expectNoFix }, hasFix: true, equivalenceKey);

    /// <summary>
    /// A robustness test of a code fix on sources with no expected output: every fix offered for whatever the
    /// analyzer reports must register, apply and compile, and so must Fix All in document scope (see
    /// <see cref="FixRobustnessTest"/>); <see cref="FixRobustnessTest.ExpectingDiagnostics"/> requires something to check.
    /// </summary>
    public static FixRobustnessTest FixesOf<TAnalyzer, TCodeFix>()
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => new(expectations => new FixRobustnessRun<TAnalyzer, TCodeFix>(expectations));
}

/// <summary>
/// One analyzer or code-fix test: sources with markup, the libraries they reference, .editorconfig options,
/// and (for a fix) the expected fixed sources. <see cref="RunAsync"/> runs it on Microsoft.CodeAnalysis.Testing,
/// which checks: the input compiles (compiler errors are unexpected diagnostics); the analyzer, run concurrently, reports
/// exactly the markup, nothing once <c>#pragma warning disable</c> heads each file, and nothing in files marked
/// <c>// &lt;auto-generated&gt;</c> unless it configures generated-code analysis itself; an analyzer exception (AD0001)
/// fails. For a fix: applying it one diagnostic at a time (at most one pass per input diagnostic, plus one), Fix All in
/// document scope and Fix All in project scope each give exactly the fixed sources, whose markup lists the diagnostics
/// that must remain, and the fixed sources compile; the syntax tree each fix produces must be the one its text parses
/// to. With <see cref="ExpectNoFix"/>, no action (with the equivalence key, if any) is offered for any diagnostic.
/// </summary>
public sealed class RuleTest : TestProject<RuleTest>
{
    private readonly ImmutableArray<DiagnosticDescriptor> _descriptors;
    private readonly Func<bool, CodeFixTest<DefaultVerifier>> _createTest;
    private readonly bool _hasFix;
    private readonly string? _equivalenceKey;
    private readonly List<string> _fixedSources = [];
    private readonly List<string> _expectedMessages = [];
    private bool _expectNoFix;

    /// <param name="createTest">Creates the library test; its argument is <see cref="ExpectNoFix"/>.</param>
    internal RuleTest(ImmutableArray<DiagnosticDescriptor> descriptors, Func<bool, CodeFixTest<DefaultVerifier>> createTest, bool hasFix, string? equivalenceKey)
    {
        _descriptors = descriptors;
        _createTest = createTest;
        _hasFix = hasFix;
        _equivalenceKey = equivalenceKey;
    }

    /// <summary>The rule under test: <c>[|span|]</c> stands for it.</summary>
    private string DefaultId => _descriptors[0].Id;

    /// <summary>Adds the expected fixed form of the source with the same index; its markup lists what must remain.</summary>
    public RuleTest WithFixedSource([StringSyntax("C#-test")] string markup)
    {
        _fixedSources.Add(markup);
        return this;
    }

    /// <summary>Expects these messages, in source order, for the diagnostics of the rule under test.</summary>
    public RuleTest WithMessages(params string[] messages)
    {
        _expectedMessages.AddRange(messages);
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
        if (Sources.Count == 0)
        {
            throw new InvalidOperationException("A rule test needs at least one source.");
        }

        if (!_hasFix && (_expectNoFix || _fixedSources.Count > 0))
        {
            throw new InvalidOperationException("An analyzer test has no fix: use Verify.CodeFix for WithFixedSource or ExpectNoFix.");
        }

        if (_expectNoFix && _fixedSources.Count > 0)
        {
            throw new InvalidOperationException("ExpectNoFix() takes no fixed source.");
        }

        var input = Sources.Select(Markup.Parse).ToList();
        var test = _createTest(_expectNoFix);

        Describe(test.TestState, input.Select(document => document.Source));
        test.TestState.ExpectedDiagnostics.AddRange(Expected(input, _expectedMessages));

        if (_hasFix)
        {
            test.CodeActionEquivalenceKey = _equivalenceKey;
            if (!_expectNoFix)
            {
                if (_fixedSources.Count != Sources.Count)
                {
                    throw new InvalidOperationException("A code-fix test needs one fixed source per source (or ExpectNoFix()).");
                }

                var expected = _fixedSources.Select(Markup.Parse).ToList();
                Describe(test.FixedState, expected.Select(document => document.Source));
                test.FixedState.ExpectedDiagnostics.AddRange(Expected(expected, messages: []));

                // The loop guard: each pass fixes one diagnostic, so more passes than the input's diagnostics (plus one)
                // means the fix feeds itself. Negative is "at most" for the library; -1 would mean exactly one.
                var diagnostics = input.Sum(document => document.Expected.Count);
                test.NumberOfIncrementalIterations = diagnostics == 0 ? 0 : -(diagnostics + 1);
            }
        }

        await test.RunAsync();
    }

    /// <summary>
    /// The markup as the library's expected diagnostics: exact spans, any severity (options may change it), additional
    /// locations not checked, and the messages of <see cref="WithMessages"/> on the rule under test, in source order.
    /// </summary>
    private List<DiagnosticResult> Expected(IReadOnlyList<(string Source, IReadOnlyList<ExpectedDiagnostic> Expected)> documents, IReadOnlyList<string> messages)
    {
        var results = new List<DiagnosticResult>();
        var messageIndex = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            var text = SourceText.From(documents[i].Source);
            foreach (var expected in documents[i].Expected)
            {
                var id = expected.Id ?? DefaultId;
                var descriptor = _descriptors.FirstOrDefault(d => d.Id == id);
                var result = descriptor is null ? new DiagnosticResult(id, DiagnosticSeverity.Error) : new DiagnosticResult(descriptor);
                string? message = null;
                if (messages.Count > 0 && id == DefaultId)
                {
                    message = messageIndex < messages.Count
                        ? messages[messageIndex]
                        : throw new InvalidOperationException($"WithMessages gives {messages.Count} messages, but the markup has more {DefaultId} diagnostics.");
                    messageIndex++;
                }

                results.Add(result
                    .WithSpan(new FileLinePositionSpan(SluiceTest.SourcePath(i), text.Lines.GetLinePositionSpan(expected.Span)))
                    .WithMessage(message)
                    .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations | DiagnosticOptions.IgnoreSeverity));
            }
        }

        if (messageIndex < messages.Count)
        {
            throw new InvalidOperationException($"WithMessages gives {messages.Count} messages, but the markup has {messageIndex} {DefaultId} diagnostics.");
        }

        return results;
    }
}
