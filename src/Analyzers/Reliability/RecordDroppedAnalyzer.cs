using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU202: finds a catch inside a loop over records (see <see cref="RecordLoop"/>: a query, an async stream, a reader,
/// a channel, a file's lines, a batch handed in, a broker polling loop) that logs the failure — even with the exception
/// object — and moves on to the next record, or in a broker's message handler (see <see cref="MessageHandler"/>: a
/// RabbitMQ consumer of client 6 or 7, whether it derives from the default consumer or implements the interface, a
/// handler on an auto-acknowledging consumer, a Service Bus processor, a Kafka consume loop that commits) that logs the
/// failure and then acknowledges, completes or commits the message, so the record is lost: visible in a log, but never
/// retried, dead-lettered or reported to the caller. Loops over services, plugins, handlers or disposables are not
/// record loops; a catch that marks the record failed, collects it or counts the failure keeps it. Catches that do not
/// even keep the exception are SLU201's.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RecordDroppedAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RecordDropped,
        title: "Record dropped on failure",
        messageFormat: "'{0}' logs the failure and {1}, so {2} is lost: nothing rethrows, retries or dead-letters it",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "A per-record catch that only logs turns a failure into a log line: the record is not written, not "
            + "retried and not kept for replay, and the job reports success. Dead-letter the record with its exception, "
            + "or rethrow after logging.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Of(start.Compilation);
            if (types.Exception is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeCatch(c, types), OperationKind.CatchClause);
        });
    }

    private static void AnalyzeCatch(OperationAnalysisContext context, KnownTypes types)
    {
        var catchClause = (ICatchClauseOperation)context.Operation;
        // The catch's own facts first (cheap), then the loop or message handler around it.
        if (catchClause.Parent is not ITryOperation tryOperation
            || CatchFate.Of(catchClause, types) is not { } fate
            || !fate.Logs
            || fate.Throws
            || fate.Swallow != SwallowKind.None
            || fate.IsTiedToCancellation)
        {
            return;
        }

        ISymbol? record;
        string recordText;
        string whatFollows;
        if (RecordLoop.Around(tryOperation, types) is { } loop)
        {
            if (!fate.MovesToNextRecord(loop.Loop))
            {
                return;
            }

            record = loop.Record;
            recordText = loop.Record is null ? "the current record" : $"'{loop.Record.Name}'";
            whatFollows = "moves on to the next record";
        }
        else if (MessageHandler.Around(tryOperation, types) is { } handler
            && handler.ConfirmationAfter(fate, types) is { } confirmation)
        {
            record = handler.Message;
            recordText = $"'{handler.Message.Name}'";
            whatFollows = handler.Describe(confirmation);
        }
        else
        {
            return;
        }

        if (fate.IsCleanup || fate.KeepsTheFailure(record) || fate.HandlesTheRecord(record))
        {
            return;
        }

        var syntax = fate.Syntax;
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            ReportLocations.Catch(syntax),
            "catch" + (syntax.Declaration is null ? "" : " " + syntax.Declaration),
            whatFollows,
            recordText));
    }
}
