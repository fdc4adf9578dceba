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
/// only iterated or queried line by line, and <c>File.ReadAllText(Async)</c> split into lines, straight away or later in
/// the member through a local that holds the text and is used for nothing else (besides an emptiness check). And the
/// records of a CSV file collected whole — CsvHelper's <c>GetRecords&lt;T&gt;().ToList()</c>/<c>ToArray()</c>,
/// <c>await GetRecordsAsync&lt;T&gt;().ToListAsync()</c>/<c>ToArrayAsync()</c> — and then used one record at a time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeFileReadAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.WholeFileRead,
        title: "Whole file read into memory",
        messageFormat: "{0} is read whole into memory by {1} {2}; stream it with {3}",
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
            var types = KnownTypes.Of(start.Compilation);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, file, canStreamAsync), OperationKind.Invocation);
            if (types.CsvReader is not null || types.CsvReaderInterface is not null)
            {
                start.RegisterOperationAction(c => AnalyzeCollectedRecords(c, types), OperationKind.Invocation);
            }
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
            if (!IsSplitIntoLines(value) && !IsSplitLater(value))
            {
                return;
            }

            how = "and split into lines";
        }

        var streaming = isAsync && canStreamAsync ? "ReadLinesAsync" : "ReadLines";
        context.ReportDiagnostic(Diagnostic.Create(
            Rule, call.Syntax.GetLocation(), FileName(call.Arguments[0].Value), $"File.{method.Name}()", how, $"File.{streaming}()"));
    }

    /// <summary>
    /// <c>csv.GetRecords&lt;T&gt;().ToList()</c> (or <c>ToArray</c>, or <c>await csv.GetRecordsAsync&lt;T&gt;().ToListAsync()</c>)
    /// on a CsvHelper reader, whose list is then used one record at a time (see <see cref="LineByLine"/>).
    /// </summary>
    private static void AnalyzeCollectedRecords(OperationAnalysisContext context, KnownTypes types)
    {
        var call = (IInvocationOperation)context.Operation;
        var collect = call.TargetMethod.Name;
        if (collect is not ("ToList" or "ToArray" or "ToListAsync" or "ToArrayAsync")
            || !call.TargetMethod.IsExtensionMethod
            || call.Arguments.Length == 0
            || call.Arguments[0].Value.WalkDownConversion() is not IInvocationOperation
            {
                TargetMethod: { Name: "GetRecords" or "GetRecordsAsync", IsGenericMethod: true } records,
                Instance: { } reader,
            }
            || !(TypeSymbols.IsOrDerives(records.ContainingType, types.CsvReader) || TypeSymbols.IsOrDerives(records.ContainingType, types.CsvReaderInterface))
            || (records.Name == "GetRecordsAsync") != collect.EndsWith("Async", System.StringComparison.Ordinal)
            || ReadValue(call, collect.EndsWith("Async", System.StringComparison.Ordinal)) is not { } value
            || LineByLine.Classify(value) == LineByLineUse.None)
        {
            return;
        }

        var item = records.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            call.Syntax.GetLocation(),
            reader.Syntax.ToString() is { Length: <= 60 } name && name.IndexOf('\n') < 0 ? $"Every record of '{name}'" : "Every record of the CSV file",
            $"{records.Name}<{item}>().{collect}()",
            "and then used one record at a time",
            $"{records.Name}<{item}>() itself"));
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

    /// <summary>
    /// <c>var text = File.ReadAllText(path); ... text.Split('\n')</c>: the text is held in a local written only by its
    /// declaration, split into lines once (not in a loop or lambda that would split it again), and otherwise only checked
    /// for emptiness (<c>string.IsNullOrEmpty</c>/<c>IsNullOrWhiteSpace</c>). Any other use — hashed, searched, returned,
    /// passed on — may need the whole text, and is left alone.
    /// </summary>
    private static bool IsSplitLater(IOperation text)
    {
        var top = text;
        while (top.Parent is IConversionOperation or IParenthesizedOperation)
        {
            top = top.Parent;
        }

        if (top.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
            || LocalValues.OnlyDeclarator(declarator.Symbol, text.Root()) is null)
        {
            return false;
        }

        var splits = 0;
        foreach (var operation in text.Root().Descendants())
        {
            if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol))
            {
                continue;
            }

            if (IsSplitIntoLines(reference) && !RunsAgain(reference, declarator))
            {
                splits++;
            }
            else if (!IsEmptinessCheck(reference))
            {
                return false;
            }
        }

        return splits == 1;
    }

    private static bool IsEmptinessCheck(IOperation reference)
        => reference.Parent is IArgumentOperation
        {
            Parent: IInvocationOperation { TargetMethod: { Name: "IsNullOrEmpty" or "IsNullOrWhiteSpace", ContainingType.SpecialType: SpecialType.System_String } },
        };

    /// <summary>The reference sits in a loop (other than a foreach's collection), lambda or local function that the declaration is outside of.</summary>
    private static bool RunsAgain(IOperation reference, IOperation declaration)
    {
        for (var current = reference; current.Parent is { } parent && !parent.Syntax.Span.Contains(declaration.Syntax.Span); current = parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation
                || (parent is ILoopOperation && !(parent is IForEachLoopOperation loop && loop.Collection == current)))
            {
                return true;
            }
        }

        return false;
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
