using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU303: finds network and database calls (HttpClient, ADO.NET — Npgsql included — and EF Core async APIs) that take a
/// CancellationToken but get none, in a member that has no token to pass and applies no timeout. Where a token is in
/// scope, CA2016 already asks for it; this rule covers the members that have nothing to pass.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NoDeadlineAnalyzer : DiagnosticAnalyzer
{
    internal static readonly IntOption DeadlineSeconds = new(
        RuleIds.NoDeadline, "deadline_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The deadline (seconds) the fix gives the member's calls.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.NoDeadline,
        title: "Network or database call with no deadline",
        messageFormat: "{0} gets no CancellationToken, and '{1}' has none to pass and applies no timeout, so nothing can stop or bound this call",
        RuleCategories.Reliability,
        DiagnosticSeverity.Info,
        description: "A network or database call that no token reaches cannot be stopped by a shutdown or bounded by a "
            + "deadline. Give the member a deadline (a CancellationTokenSource with a timeout) or accept a CancellationToken, "
            + "and pass the token on.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (Deadlines.TryCreate(KnownTypes.Of(start.Compilation)) is not { } types)
            {
                return;
            }

            // Most members make no network or database call: a member's tokens and timeouts are looked at only when
            // one of its calls is a candidate, and once per member.
            var memberHasTokenOrDeadline = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(
                operationContext =>
                {
                    var call = (IInvocationOperation)operationContext.Operation;
                    if (!types.IsCallWithoutToken(call))
                    {
                        return;
                    }

                    var member = operationContext.ContainingSymbol;
                    var body = call.Root();
                    if (memberHasTokenOrDeadline.GetOrAdd(member, m => types.HasTokenOrDeadline(m, ImmutableArray.Create(body))))
                    {
                        return;
                    }

                    var seconds = DeadlineSeconds.Read(operationContext.Options, call.Syntax.SyntaxTree);
                    operationContext.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        call.Syntax.GetLocation(),
                        DiagnosticProperties.WithSeconds(seconds),
                        $"{call.TargetMethod.ContainingType.Name}.{call.TargetMethod.Name}",
                        member.Name));
                },
                OperationKind.Invocation);
        });
    }
}
