using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// The SLU202 fixes for a catch in a broker message handler (see <see cref="MessageHandler"/>) that logs and then lets
/// the message be acknowledged. Each is offered only where it compiles and keeps the message:
/// <list type="bullet">
/// <item>RabbitMQ: reject it to the queue's dead-letter exchange (<c>BasicNackAsync(tag, multiple: false, requeue: false)</c>,
/// or version 6's synchronous <c>BasicNack</c> for a <c>BasicAck</c>, and return) — when the awaited <c>BasicAckAsync</c>
/// (or the <c>BasicAck</c> statement) is all that follows the try, so the return skips only the ack;</item>
/// <item>Service Bus: <c>DeadLetterMessageAsync</c> with the exception's type as the reason and its message as the
/// description — when the catch falls through and what follows the try is nothing (auto-complete, which skips a settled
/// message) or only <c>CompleteMessageAsync</c> (which the added return skips);</item>
/// <item>rethrow — when the acknowledgement is after the try or is the processor's auto-complete, which a rethrow skips
/// (RabbitMQ keeps the message unacknowledged until the channel closes and then delivers it again; the Service Bus
/// processor abandons it). Not when the catch or a <c>finally</c> acknowledges: the message would still be lost.</item>
/// </list>
/// A handler of an <c>autoAck: true</c> consumer gets none of these: the broker forgot the message on delivery, so a nack
/// fails and a rethrow keeps nothing; only the dead-letter sink keeps it.
/// The Sluice runtime's dead-letter sink (the message body as bytes) is planned by <see cref="CatchRewrites.PlanDeadLetter"/>.
/// </summary>
internal static class MessageHandlerFixes
{
    /// <summary>
    /// The handler's confirmation after <paramref name="catchClause"/>, when the catch is in a message handler that
    /// acknowledges the message after only logging (what SLU202 reports); null otherwise.
    /// </summary>
    public static (MessageHandler Handler, MessageConfirmation Confirmation, ICatchClauseOperation Catch)? Find(SemanticModel model, CatchClauseSyntax catchClause)
    {
        var types = KnownTypes.Of(model.Compilation);
        if (model.GetOperation(catchClause) is not ICatchClauseOperation { Parent: ITryOperation tryOperation } operation
            || RecordLoop.Around(tryOperation, types) is not null
            || MessageHandler.Around(tryOperation, types) is not { } handler
            || CatchFate.Of(operation, types) is not { } fate
            || handler.ConfirmationAfter(fate, types) is not { } confirmation)
        {
            return null;
        }

        return (handler, confirmation, operation);
    }

    /// <summary>
    /// The name of the message and the expression of its body as bytes, for a dead-letter sink: <c>delivery.Body.ToArray()</c>,
    /// <c>body.ToArray()</c>, <c>args.Message.Body.ToArray()</c>; null when the try is not in a handler SLU202 reports.
    /// </summary>
    public static (string Name, string Expression)? MessageBytes(ITryOperation tryOperation, KnownTypes types)
    {
        if (RecordLoop.Around(tryOperation, types) is not null
            || MessageHandler.Around(tryOperation, types) is not { } handler
            || tryOperation.Catches.All(c => CatchFate.Of(c, types) is not { } fate || handler.ConfirmationAfter(fate, types) is null))
        {
            return null;
        }

        var name = handler.Message.Name;
        var expression = handler.Broker == Broker.ServiceBus ? $"{name}.Message.Body.ToArray()"
            : handler.Message.Type is INamedTypeSymbol { Name: "ReadOnlyMemory" } ? $"{name}.ToArray()"
            : $"{name}.Body.ToArray()";
        return (name, expression);
    }

    /// <summary>Offers the broker's own refusal (nack or dead-letter) and the rethrow, where each keeps the message.</summary>
    public static void Register(CodeFixContext context, SemanticModel model, CatchClauseSyntax catchClause, MessageHandler handler, MessageConfirmation confirmation, ICatchClauseOperation operation, string nackKey, string deadLetterKey, string rethrowKey)
    {
        var onlyAcknowledgementsFollow = OnlyAcknowledgementsFollow(handler, operation, model.Compilation);
        if (handler.Broker == Broker.RabbitMq
            && confirmation is { Place: ConfirmationPlace.After, Call: IInvocationOperation { TargetMethod.Name: "BasicAckAsync", Parent: IAwaitOperation, Instance: { } channel } ack }
            && onlyAcknowledgementsFollow
            && ReturnsNothing(model, catchClause)
            && AsyncContext.CanAwait(catchClause)
            && ack.Arguments.FirstOrDefault(a => a.Parameter?.Name == "deliveryTag")?.Value.Syntax is { } tag)
        {
            var token = ack.Arguments.FirstOrDefault(a => a.Parameter?.Name == "cancellationToken" && a.ArgumentKind == ArgumentKind.Explicit)?.Value.Syntax;
            var nack = $"await {channel.Syntax}.BasicNackAsync({tag}, multiple: false, requeue: false{(token is null ? "" : $", cancellationToken: {token}")});";
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Reject the message to the queue's dead-letter exchange (BasicNackAsync, requeue: false)",
                    cancellation => AppendAsync(context.Document, catchClause, nack, addReturn: true, cancellation),
                    nackKey),
                context.Diagnostics[0]);
        }

        // RabbitMQ.Client 6: the synchronous BasicAck on an IModel, answered with the synchronous BasicNack.
        if (handler.Broker == Broker.RabbitMq
            && confirmation is { Place: ConfirmationPlace.After, Call: IInvocationOperation { TargetMethod.Name: "BasicAck", Parent: IExpressionStatementOperation, Instance: { } model6 } syncAck }
            && onlyAcknowledgementsFollow
            && ReturnsNothing(model, catchClause)
            && (model.GetEnclosingSymbol(catchClause.SpanStart) is IMethodSymbol { ReturnsVoid: true } || AsyncContext.CanAwait(catchClause))
            && syncAck.Arguments.FirstOrDefault(a => a.Parameter?.Name == "deliveryTag")?.Value.Syntax is { } syncTag)
        {
            var nack = $"{model6.Syntax}.BasicNack({syncTag}, multiple: false, requeue: false);";
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Reject the message to the queue's dead-letter exchange (BasicNack, requeue: false)",
                    cancellation => AppendAsync(context.Document, catchClause, nack, addReturn: true, cancellation),
                    nackKey),
                context.Diagnostics[0]);
        }

        if (handler.Broker == Broker.ServiceBus
            && confirmation.Place is ConfirmationPlace.After or ConfirmationPlace.AutoComplete
            && onlyAcknowledgementsFollow
            && (confirmation.Place == ConfirmationPlace.AutoComplete || ReturnsNothing(model, catchClause))
            && AsyncContext.CanAwait(catchClause)
            && catchClause.Declaration is { Identifier.ValueText: { Length: > 0 } exception })
        {
            var args = handler.Message.Name;
            var deadLetter = $"await {args}.DeadLetterMessageAsync({args}.Message, {exception}.GetType().Name, {exception}.Message, {args}.CancellationToken);";
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Dead-letter the message with the exception's type and message (DeadLetterMessageAsync)",
                    cancellation => AppendAsync(context.Document, catchClause, deadLetter, addReturn: confirmation.Place == ConfirmationPlace.After, cancellation),
                    deadLetterKey),
                context.Diagnostics[0]);
        }

        if (confirmation.Place is ConfirmationPlace.After or ConfirmationPlace.AutoComplete)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Rethrow after logging (throw;)", cancellation => SwallowedExceptionCodeFix.RethrowAsync(context.Document, catchClause, logger: null, cancellation), rethrowKey),
                context.Diagnostics[0]);
        }
    }

    /// <summary>
    /// Confluent.Kafka consume loop: produce the consumed message to the dead-letter topic, awaited, first thing in the
    /// catch — <c>await producer.ProduceAsync(DeadLetterTopic, result.Message, token)</c> — so it is kept before the loop
    /// commits or moves on; if the produce fails, its exception leaves the catch before the commit, and the message is
    /// consumed again. Offered only when everything it needs is in scope and unambiguous: the record is a
    /// <c>ConsumeResult&lt;TKey, TValue&gt;</c> local, exactly one <c>IProducer&lt;TKey, TValue&gt;</c> of the same key and
    /// value types, exactly one string whose name says it is the dead-letter topic (<c>DeadLetter</c> or <c>Dlq</c> in
    /// it), and the code can await. No topic name is made up: a topic the cluster does not have is a configuration choice.
    /// </summary>
    public static void RegisterDeadLetterTopic(CodeFixContext context, SemanticModel model, CatchClauseSyntax catchClause, string key)
    {
        var types = KnownTypes.Of(model.Compilation);
        if (types.KafkaConsumeResult is not { } consumeResult || types.KafkaProducer is not { } producerType
            || model.GetOperation(catchClause) is not ICatchClauseOperation { Parent: ITryOperation tryOperation }
            || RecordLoop.Around(tryOperation, types) is not { Record: ILocalSymbol { Type: INamedTypeSymbol { TypeArguments.Length: 2 } result } record }
            || !SymbolEqualityComparer.Default.Equals(result.OriginalDefinition, consumeResult)
            || !AsyncContext.CanAwait(catchClause))
        {
            return;
        }

        bool IsSameProducer(INamedTypeSymbol candidate)
            => SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, producerType)
                && candidate.TypeArguments.SequenceEqual<ITypeSymbol>(result.TypeArguments, SymbolEqualityComparer.Default);

        bool IsProducer(ITypeSymbol type)
            => type is INamedTypeSymbol named && (IsSameProducer(named) || named.AllInterfaces.Any(IsSameProducer));

        var position = catchClause.Block.SpanStart;
        var producers = Usable(model, position, IsProducer, _ => true);
        var topics = Usable(model, position, type => type.SpecialType == SpecialType.System_String, IsDeadLetterTopicName);
        if (producers.Count != 1 || topics.Count != 1)
        {
            return;
        }

        var token = types.CancellationToken is { } tokenType
            ? SymbolsInScope.FindUsable(model, position, type => SymbolEqualityComparer.Default.Equals(type, tokenType))
            : null;
        var produce = $"await {producers[0].Name}.ProduceAsync({topics[0].Name}, {record.Name}.Message{(token is null ? "" : ", " + token.Name)});";
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Produce the message to the dead-letter topic '{topics[0].Name}' (ProduceAsync)",
                cancellation => PrependAsync(context.Document, catchClause, produce, cancellation),
                key),
            context.Diagnostics[0]);
    }

    /// <summary>A name that says the string is the dead-letter topic: <c>DeadLetterTopic</c>, <c>_dlqTopic</c>, <c>deadLetterTopicName</c>.</summary>
    private static bool IsDeadLetterTopicName(ISymbol symbol)
        => symbol.Name.IndexOf("deadletter", System.StringComparison.OrdinalIgnoreCase) >= 0
            || symbol.Name.IndexOf("dlq", System.StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>Every distinct usable symbol of a wanted type and name at <paramref name="position"/> (at most two: enough to tell one from many).</summary>
    private static System.Collections.Generic.List<ISymbol> Usable(SemanticModel model, int position, System.Func<ITypeSymbol, bool> isWanted, System.Func<ISymbol, bool> isNamed)
    {
        var found = new System.Collections.Generic.List<ISymbol>();
        while (found.Count < 2
            && SymbolsInScope.FindUsable(model, position, isWanted, symbol => isNamed(symbol) && !found.Contains(symbol, SymbolEqualityComparer.Default)) is { } next)
        {
            found.Add(next);
        }

        return found;
    }

    /// <summary>Adds <paramref name="code"/> as the first statement of the catch.</summary>
    private static async Task<Document> PrependAsync(Document document, CatchClauseSyntax catchClause, string code, CancellationToken cancellationToken)
    {
        var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var block = catchClause.Block.WithStatements(catchClause.Block.Statements.Insert(0, CatchRewrites.Statement(code))).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(catchClause.Block, block));
    }

    /// <summary>The catch's end is reachable and everything after the try, up to the end of the handler, acknowledges the message (or nothing follows).</summary>
    private static bool OnlyAcknowledgementsFollow(MessageHandler handler, ICatchClauseOperation operation, Compilation compilation)
    {
        var types = KnownTypes.Of(compilation);
        return CatchFate.Of(operation, types) is { EndIsReachable: true } fate
            && operation.Parent?.Parent == handler.Body
            && fate.StatementsAfter(handler.Body).All(statement =>
                statement.IsImplicit // a lambda's closing return
                || statement is IExpressionStatementOperation expression && MessageHandler.SettlementOf(expression.Operation, types) == Settlement.Acknowledge);
    }

    /// <summary>The handler returns nothing (void, Task, ValueTask), so a plain <c>return;</c> compiles.</summary>
    private static bool ReturnsNothing(SemanticModel model, SyntaxNode node)
    {
        var method = model.GetEnclosingSymbol(node.SpanStart) as IMethodSymbol;
        return method?.ReturnType is { SpecialType: SpecialType.System_Void } or INamedTypeSymbol { Name: "Task" or "ValueTask", IsGenericType: false };
    }

    /// <summary>Adds <paramref name="code"/> (and <c>return;</c>) at the end of the catch, where its end was reachable.</summary>
    private static async Task<Document> AppendAsync(Document document, CatchClauseSyntax catchClause, string code, bool addReturn, CancellationToken cancellationToken)
    {
        var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var statements = catchClause.Block.Statements.Add(CatchRewrites.Statement(code));
        if (addReturn)
        {
            statements = statements.Add(CatchRewrites.Statement("return;"));
        }

        var block = catchClause.Block.WithStatements(statements).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(catchClause.Block, block));
    }
}
