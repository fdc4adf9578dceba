using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU102: finds a text file read whole and then used one line at a time: <c>File.ReadAllLines(Async)</c> whose array is
/// only iterated or queried line by line, and <c>File.ReadAllText(Async)</c> split into lines straight away.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeFileReadAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.WholeFileRead,
        title: "Whole file read into memory",
        messageFormat: "{0} is read whole into memory by File.{1}() {2}; stream it with File.{3}()",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "ReadAllLines and ReadAllText hold the whole file in memory, twice over while it is split into lines. "
            + "Code that then goes through it line by line needs one line at a time: File.ReadLines (or File.ReadLinesAsync) "
            + "streams it, so a file of any size runs in constant memory.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var file = KnownTypes.Of(start.Compilation).File;
            if (file is null)
            {
                return;
            }

            var canStreamAsync = !file.GetMembers("ReadLinesAsync").IsEmpty;
            start.RegisterOperationAction(c => AnalyzeInvocation(c, file, canStreamAsync), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol file, bool canStreamAsync)
    {
        var call = (IInvocationOperation)context.Operation;
        var method = call.TargetMethod;
        if (method.Name is not ("ReadAllLines" or "ReadAllLinesAsync" or "ReadAllText" or "ReadAllTextAsync")
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, file)
            || call.Arguments.Length == 0)
        {
            return;
        }

        var isAsync = method.Name.EndsWith("Async", System.StringComparison.Ordinal);
        if (ReadValue(call, isAsync) is not { } value)
        {
            return;
        }

        string how;
        if (method.Name.StartsWith("ReadAllLines", System.StringComparison.Ordinal))
        {
            if (LineByLine.Classify(value) == LineByLineUse.None)
            {
                return;
            }

            how = "and then used line by line";
        }
        else
        {
            if (!IsSplitIntoLines(value))
            {
                return;
            }

            how = "and split into lines";
        }

        var streaming = isAsync && canStreamAsync ? "ReadLinesAsync" : "ReadLines";
        context.ReportDiagnostic(Diagnostic.Create(Rule, call.Syntax.GetLocation(), FileName(call.Arguments[0].Value), method.Name, how, streaming));
    }

    /// <summary>The read's result: the call, or for an async read the <c>await</c> of it (through ConfigureAwait); null when not awaited.</summary>
    internal static IOperation? ReadValue(IInvocationOperation call, bool isAsync)
    {
        if (!isAsync)
        {
            return call;
        }

        IOperation awaited = call;
        if (call.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configured && configured.Instance == call)
        {
            awaited = configured;
        }

        return awaited.Parent as IAwaitOperation;
    }

    /// <summary><c>text.Split('\n')</c>, <c>Split("\r\n")</c>, <c>Split(Environment.NewLine)</c>, <c>Split(new[] { "\r\n", "\n" }, ...)</c>.</summary>
    private static bool IsSplitIntoLines(IOperation text)
    {
        var top = text;
        while (top.Parent is IConversionOperation or IParenthesizedOperation)
        {
            top = top.Parent;
        }

        if (top.Parent is not IInvocationOperation { TargetMethod: { Name: "Split", ContainingType.SpecialType: SpecialType.System_String } } split
            || split.Instance != top)
        {
            return false;
        }

        var separators = split.Arguments.FirstOrDefault()?.Value.WalkDownConversion();
        return separators switch
        {
            IArrayCreationOperation { Initializer: { ElementValues.Length: > 0 } initializer } => initializer.ElementValues.All(IsLineBreak),

            // Split('\r', '\n') binds to Split(params ReadOnlySpan<char>) on .NET 9 and later.
            { } collection when CollectionExpressions.ElementsOf(collection) is { Length: > 0 } elements => elements.All(IsLineBreak),
            { } single => IsLineBreak(single),
            _ => false,
        };
    }

    private static bool IsLineBreak(IOperation separator)
    {
        separator = separator.WalkDownConversion();
        if (separator is IPropertyReferenceOperation { Property: { Name: "NewLine", ContainingType.Name: "Environment" } })
        {
            return true;
        }

        return separator.ConstantValue is { HasValue: true, Value: var value }
            && value is '\n' or '\r' or "\n" or "\r\n" or "\r";
    }

    /// <summary>The file as the code names it: a constant path's text, or the expression (a local, a parameter...).</summary>
    private static string FileName(IOperation path)
    {
        if (path.ConstantValue is { HasValue: true, Value: string constant })
        {
            return $"'{constant}'";
        }

        var text = path.Syntax.ToString();
        return text.Length <= 60 && text.IndexOf('\n') < 0 ? $"'{text}'" : "The file";
    }
}
