using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>
/// What every harness test describes the same way: the sources (with markup), the libraries they reference, the
/// project's .editorconfig and its output kind. <see cref="RuleTest"/> and <see cref="FixRobustnessTest"/> add their
/// own expectations on top.
/// </summary>
public abstract class TestProject<TSelf>
    where TSelf : TestProject<TSelf>
{
    private readonly List<string> _sources = [];
    private readonly List<Library> _libraries = [];
    private readonly List<string> _editorConfigLines = [];
    private OutputKind _outputKind = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>The sources as given, with their markup.</summary>
    protected IReadOnlyList<string> Sources => _sources;

    /// <summary>Adds a source document (<c>Test0.cs</c>, <c>Test1.cs</c>...) with diagnostic markup.</summary>
    public TSelf WithSource([StringSyntax("C#-test")] string markup)
    {
        _sources.Add(markup);
        return (TSelf)this;
    }

    /// <summary>References these libraries in addition to the .NET framework.</summary>
    public TSelf WithLibraries(params Library[] libraries)
    {
        _libraries.AddRange(libraries);
        return (TSelf)this;
    }

    /// <summary>Adds lines under <c>[*.cs]</c> of the project's .editorconfig, e.g. <c>sluice.SLU201.x = true</c>.</summary>
    public TSelf WithEditorConfig(params string[] lines)
    {
        _editorConfigLines.AddRange(lines);
        return (TSelf)this;
    }

    /// <summary>Compiles the sources as an executable (for top-level statements).</summary>
    public TSelf AsExecutable()
    {
        _outputKind = OutputKind.ConsoleApplication;
        return (TSelf)this;
    }

    /// <summary>
    /// Fills <paramref name="state"/> with this project and the given plain sources, explicitly (nothing inherited
    /// from another state, no markup processing by the library: the harness's own <see cref="Markup"/> has done it).
    /// </summary>
    internal void Describe(SolutionState state, IEnumerable<string> plainSources)
    {
        state.InheritanceMode = StateInheritanceMode.Explicit;
        state.MarkupHandling = MarkupMode.None;
        state.OutputKind = _outputKind;
        state.DocumentationMode = DocumentationMode.Parse;
        var index = 0;
        foreach (var source in plainSources)
        {
            state.Sources.Add((SluiceTest.SourcePath(index++), source));
        }

        state.AdditionalReferences.AddRange(Library.Framework.Concat(_libraries.SelectMany(library => library.References)).Distinct());
        state.AnalyzerConfigFiles.Add((SluiceTest.EditorConfigPath, "root = true\n\n[*.cs]\n" + string.Join("\n", _editorConfigLines) + "\n"));
    }
}
