using System.Collections.Immutable;
using System.Linq;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU202, offered in this order (<c>dotnet format</c> applies the first):
/// <list type="number">
/// <item>with the Sluice runtime referenced and a <c>foreach</c> record: dead-letter the record with the exception (to the
/// <c>IDeadLetterSink</c> in scope, or to a new sink field) before the loop goes on — nothing is lost and the job keeps going;</item>
/// <item>rethrow after logging (<c>continue</c> becomes <c>throw;</c>): the job stops at the first bad record instead of losing it
/// (not when the catch acknowledges the record itself).</item>
/// </list>
/// In a broker message handler, the dead-letter sink keeps the message body, and <see cref="MessageHandlerFixes"/> adds
/// the broker's own refusal (a nack to the dead-letter exchange, Service Bus dead-lettering) and the rethrow where they keep the message;
/// in a Kafka consume loop, a produce to the dead-letter topic in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RecordDroppedCodeFix))]
[Shared]
public sealed class RecordDroppedCodeFix : CodeFixProvider
{
    internal const string DeadLetterKey = RuleIds.RecordDropped + ".DeadLetter";
    internal const string RethrowKey = RuleIds.RecordDropped + ".Rethrow";
    internal const string NackKey = RuleIds.RecordDropped + ".Nack";
    internal const string DeadLetterMessageKey = RuleIds.RecordDropped + ".DeadLetterMessage";
    internal const string DeadLetterTopicKey = RuleIds.RecordDropped + ".DeadLetterTopic";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.RecordDropped);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || root?.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>() is not { } catchClause)
        {
            return;
        }

        CatchRewrites.RegisterDeadLetter(context, model, catchClause, DeadLetterKey);
        if (MessageHandlerFixes.Find(model, catchClause) is var (handler, confirmation, operation))
        {
            MessageHandlerFixes.Register(context, model, catchClause, handler, confirmation, operation, NackKey, DeadLetterMessageKey, RethrowKey);
            return;
        }

        MessageHandlerFixes.RegisterDeadLetterTopic(context, model, catchClause, DeadLetterTopicKey);

        // A catch that acknowledges the record itself (a Kafka Commit) would still lose it if it rethrew afterwards.
        if (model.GetOperation(catchClause) is ICatchClauseOperation { Handler: { } handlerBlock }
            && MessageHandler.Settling(handlerBlock, Settlement.Acknowledge, KnownTypes.Of(model.Compilation)).Any())
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Rethrow after logging (throw;)", token => SwallowedExceptionCodeFix.RethrowAsync(context.Document, catchClause, logger: null, token), RethrowKey),
            context.Diagnostics[0]);
    }

}
