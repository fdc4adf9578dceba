using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>
/// An .editorconfig option of one rule, keyed <c>sluice.SLUnnn.name</c>. Options are declared beside their
/// analyzer; the docs tests check that every declared option is documented on the rule's page.
/// </summary>
internal abstract class SluiceOption
{
    protected SluiceOption(string ruleId, string name, string defaultText, string description)
    {
        RuleId = ruleId;
        Key = $"sluice.{ruleId}.{name}";
        DefaultText = defaultText;
        Description = description;
    }

    public string RuleId { get; }

    public string Key { get; }

    public string DefaultText { get; }

    public string Description { get; }

    protected string? ReadRaw(AnalyzerOptions options, SyntaxTree tree)
        => options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(Key, out var value) ? value.Trim() : null;
}

/// <summary>A true/false option; unknown values fall back to the default rather than failing the build.</summary>
internal sealed class BoolOption : SluiceOption
{
    private readonly bool _default;

    public BoolOption(string ruleId, string name, bool defaultValue, string description)
        : base(ruleId, name, defaultValue ? "true" : "false", description)
        => _default = defaultValue;

    public bool Read(AnalyzerOptions options, SyntaxTree tree)
        => bool.TryParse(ReadRaw(options, tree), out var value) ? value : _default;
}

/// <summary>A free-text option.</summary>
internal sealed class StringOption : SluiceOption
{
    private readonly string _default;

    public StringOption(string ruleId, string name, string defaultValue, string description)
        : base(ruleId, name, defaultValue, description)
        => _default = defaultValue;

    public string Read(AnalyzerOptions options, SyntaxTree tree) => ReadRaw(options, tree) ?? _default;
}

/// <summary>A whole-number option with an inclusive range; values outside it fall back to the default.</summary>
internal sealed class IntOption : SluiceOption
{
    private readonly int _default;
    private readonly int _min;
    private readonly int _max;

    public IntOption(string ruleId, string name, int defaultValue, int min, int max, string description, string? defaultText = null)
        : base(ruleId, name, defaultText ?? defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture), description)
    {
        _default = defaultValue;
        _min = min;
        _max = max;
    }

    public int Read(AnalyzerOptions options, SyntaxTree tree)
        => int.TryParse(ReadRaw(options, tree), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= _min && value <= _max
                ? value
                : _default;

    /// <summary>The configured value, or null when the option is not set (or not valid).</summary>
    public int? ReadIfSet(AnalyzerOptions options, SyntaxTree tree)
        => int.TryParse(ReadRaw(options, tree), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= _min && value <= _max
                ? value
                : null;
}
