using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>The broker a message handler receives from.</summary>
internal enum Broker
{
    /// <summary>RabbitMQ.Client: acknowledged with <c>BasicAck(Async)</c>, refused with <c>BasicNack</c>/<c>BasicReject</c>.</summary>
    RabbitMq,

    /// <summary>Azure Service Bus processor: completed with <c>CompleteMessageAsync</c> or by auto-complete, refused with abandon, dead-letter or defer.</summary>
    ServiceBus,
}

/// <summary>What a call does to a broker message (see <see cref="MessageHandler.SettlementOf"/>).</summary>
internal enum Settlement
{
    /// <summary>Nothing: not a settlement call.</summary>
    None,

    /// <summary>Takes the message off the broker as done: RabbitMQ <c>BasicAck(Async)</c>, Service Bus <c>CompleteMessageAsync</c>, Kafka <c>Commit</c>/<c>StoreOffset</c>.</summary>
    Acknowledge,

    /// <summary>
    /// Keeps the message: a negative acknowledgement (<c>BasicNack</c>, <c>BasicReject</c>), an abandon, a dead-letter,
    /// a deferral, a seek back, or a publish to another queue or topic (a retry or dead-letter destination).
    /// </summary>
    Refuse,
}

/// <summary>Where a handler acknowledges a message whose failure a catch only logged.</summary>
internal enum ConfirmationPlace
{
    /// <summary>In the catch itself.</summary>
    InCatch,

    /// <summary>In a <c>finally</c> around the catch.</summary>
    InFinally,

    /// <summary>After the try, on the path the catch falls through to.</summary>
    After,

    /// <summary>Nowhere in code: the handler returns normally and the Service Bus processor completes the message (AutoCompleteMessages).</summary>
    AutoComplete,

    /// <summary>Before the handler ran: the RabbitMQ consumer was started with <c>autoAck: true</c>, so the broker forgot the message on delivery.</summary>
    AutoAck,
}

/// <summary>How a message handler confirms a message after a catch: where, and the call that does it (none for auto-complete).</summary>
internal sealed class MessageConfirmation(ConfirmationPlace place, IOperation? call, string? callName)
{
    /// <summary>Where the message is acknowledged.</summary>
    public ConfirmationPlace Place { get; } = place;

    /// <summary>The acknowledging call; null for auto-complete.</summary>
    public IOperation? Call { get; } = call;

    /// <summary>The acknowledging method's name (<c>BasicAckAsync</c>, <c>CompleteMessageAsync</c>); null for auto-complete.</summary>
    public string? CallName { get; } = callName;
}

/// <summary>
/// A method, lambda or local function that handles one message a broker delivered — a RabbitMQ consumer's
/// <c>Received</c>/<c>ReceivedAsync</c> handler (a <c>BasicDeliverEventArgs</c> parameter), a consumer's own
/// <c>HandleBasicDeliverAsync</c> (version 7's <c>IAsyncBasicConsumer</c>, implemented directly or through
/// <c>AsyncDefaultBasicConsumer</c>) or <c>HandleBasicDeliver</c> (version 6's <c>IBasicConsumer</c>), an Azure Service Bus processor's
/// <c>ProcessMessageAsync</c> handler (a <c>ProcessMessageEventArgs</c> or <c>ProcessSessionMessageEventArgs</c>
/// parameter) — and how it settles the message. SLU202 asks it whether a catch that only logged is followed by an
/// acknowledgement (in the catch, in a <c>finally</c>, after the try, or the processor's auto-complete): the message
/// is then gone from the broker with nothing kept. Kafka consume loops are record loops (<see cref="RecordLoop"/>);
/// their <c>Commit</c>/<c>StoreOffset</c> are acknowledgements here too.
/// </summary>
internal sealed class MessageHandler
{
    /// <summary>Whether a compilation sets <c>AutoCompleteMessages</c> to anything but <c>true</c> anywhere (computed once per compilation).</summary>
    private static readonly ConditionalWeakTable<Compilation, object> AutoCompleteTurnedOff = new();

    /// <summary>Refusals recognised by name alone on a receiver the build could not resolve.</summary>
    private static readonly HashSet<string> RefusingNames = new(StringComparer.Ordinal)
    {
        "BasicNack", "BasicNackAsync", "BasicReject", "BasicRejectAsync",
        "AbandonMessageAsync", "DeadLetterMessageAsync", "DeferMessageAsync",
        "Produce", "ProduceAsync", "BasicPublish", "BasicPublishAsync", "SendMessageAsync", "SendMessagesAsync",
    };

    private MessageHandler(IBlockOperation body, IParameterSymbol message, Broker broker)
    {
        Body = body;
        Message = message;
        Broker = broker;
    }

    /// <summary>The handler's body.</summary>
    public IBlockOperation Body { get; }

    /// <summary>The parameter that carries the message: the event args, or the body of a <c>HandleBasicDeliverAsync</c> override.</summary>
    public IParameterSymbol Message { get; }

    /// <summary>The broker.</summary>
    public Broker Broker { get; }

    /// <summary>
    /// The message handler whose body holds <paramref name="tryOperation"/> directly: a loop between them (an attempt
    /// loop, a loop over the message's items) makes the try that loop's, and a lambda or local function that is not a
    /// handler itself ends the search.
    /// </summary>
    public static MessageHandler? Around(ITryOperation tryOperation, KnownTypes types)
    {
        if (types.RabbitMqBasicDeliverEventArgs is null && types.RabbitMqAsyncBasicConsumer is null && types.RabbitMqBasicConsumer is null
            && types.ProcessMessageEventArgs is null && types.ProcessSessionMessageEventArgs is null)
        {
            return null;
        }

        for (var current = tryOperation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation:
                    return null;
                case IAnonymousFunctionOperation lambda:
                    return Of(lambda.Symbol, lambda.Body, types);
                case ILocalFunctionOperation { Body: { } localBody } local:
                    return Of(local.Symbol, localBody, types);
                case IMethodBodyOperation { BlockBody: { } methodBody }
                    when tryOperation.SemanticModel?.GetDeclaredSymbol(current.Syntax) is IMethodSymbol method:
                    return Of(method, methodBody, types);
            }
        }

        return null;
    }

    /// <summary>What <paramref name="operation"/> (a call, or a call the compiler could not bind) does to a broker message.</summary>
    public static Settlement SettlementOf(IOperation operation, KnownTypes types)
    {
        operation = operation.WalkDownConversion();
        if (operation is IAwaitOperation awaited)
        {
            operation = awaited.Operation.WalkDownConversion();
        }

        if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
        {
            operation = configured.WalkDownConversion();
        }

        switch (operation)
        {
            case IInvocationOperation call:
            {
                var receiver = call.Instance?.Type
                    ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value.WalkDownConversion().Type : call.TargetMethod.ContainingType);
                var rabbit = TypeSymbols.IsOrDerives(receiver, types.RabbitMqChannel) || TypeSymbols.IsOrDerives(receiver, types.RabbitMqModel);
                var serviceBus = TypeSymbols.IsOrDerives(receiver, types.ProcessMessageEventArgs)
                    || TypeSymbols.IsOrDerives(receiver, types.ProcessSessionMessageEventArgs)
                    || TypeSymbols.IsOrDerives(receiver, types.ServiceBusReceiver);
                return call.TargetMethod.Name switch
                {
                    "BasicAck" or "BasicAckAsync" when rabbit => Settlement.Acknowledge,
                    "CompleteMessageAsync" when serviceBus => Settlement.Acknowledge,
                    "Commit" or "StoreOffset" when TypeSymbols.IsOrDerives(receiver, types.KafkaConsumer) => Settlement.Acknowledge,
                    "BasicNack" or "BasicNackAsync" or "BasicReject" or "BasicRejectAsync" or "BasicPublish" or "BasicPublishAsync" when rabbit => Settlement.Refuse,
                    "AbandonMessageAsync" or "DeadLetterMessageAsync" or "DeferMessageAsync" when serviceBus => Settlement.Refuse,
                    "SendMessageAsync" or "SendMessagesAsync" when TypeSymbols.IsOrDerives(receiver, types.ServiceBusSender) => Settlement.Refuse,
                    "Produce" or "ProduceAsync" when TypeSymbols.IsOrDerives(receiver, types.KafkaProducer) => Settlement.Refuse,

                    // A Kafka consumer seeking back to the message reads it again.
                    "Seek" when TypeSymbols.IsOrDerives(receiver, types.KafkaConsumer) => Settlement.Refuse,
                    _ => Settlement.None,
                };
            }

            // A call on a type the build could not resolve (RabbitMQ.Client 6's IModel against version 7): by its name.
            case IInvalidOperation { Syntax: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } }:
            {
                var name = access.Name.Identifier.ValueText;
                return RefusingNames.Contains(name) ? Settlement.Refuse
                    : name is "BasicAck" or "BasicAckAsync" or "CompleteMessageAsync" ? Settlement.Acknowledge
                    : Settlement.None;
            }

            default:
                return Settlement.None;
        }
    }

    /// <summary>The operations under <paramref name="root"/> that settle a message the way <paramref name="settlement"/> says.</summary>
    public static IEnumerable<IOperation> Settling(IOperation root, Settlement settlement, KnownTypes types)
        => root.OwnDescendants().Where(o => o is IInvocationOperation or IInvalidOperation && SettlementOf(o, types) == settlement);

    /// <summary>
    /// How the handler confirms the message after <paramref name="fate"/>'s catch has only logged the failure, or null
    /// when it does not: the catch refuses the message (nack, reject, abandon, dead-letter, defer, a publish elsewhere),
    /// the try does no work of its own, or the catch falls through to more work; or nothing acknowledges the message on
    /// the catch's way out (no acknowledgement in the catch, in a <c>finally</c> or after the try, and for Service Bus
    /// the compilation turns auto-complete off somewhere).
    /// </summary>
    public MessageConfirmation? ConfirmationAfter(CatchFate fate, KnownTypes types)
    {
        var catchClause = fate.Catch;
        if (catchClause.Parent is not ITryOperation tryOperation
            || Settling(catchClause.Handler, Settlement.Refuse, types).Any()
            || !DoesWork(tryOperation.Body, types))
        {
            return null;
        }

        if (Settling(catchClause.Handler, Settlement.Acknowledge, types).FirstOrDefault() is { } inCatch)
        {
            return new MessageConfirmation(ConfirmationPlace.InCatch, inCatch, NameOf(inCatch));
        }

        IOperation? after = null;
        if (fate.EndIsReachable)
        {
            foreach (var statement in fate.StatementsAfter(Body))
            {
                switch (SettlementOf(StatementExpression(statement), types))
                {
                    case Settlement.Acknowledge:
                        after ??= statement;
                        continue;
                    case Settlement.Refuse:
                        return null;
                }

                if (!CatchFate.IsBookkeeping(statement) && !IsPlainReturn(statement))
                {
                    return null;
                }
            }
        }

        for (var current = tryOperation.Parent; current is not null && current != Body.Parent; current = current.Parent)
        {
            if (current is ITryOperation { Finally: { } finallyBlock } && Settling(finallyBlock, Settlement.Acknowledge, types).FirstOrDefault() is { } inFinally)
            {
                return new MessageConfirmation(ConfirmationPlace.InFinally, inFinally, NameOf(inFinally));
            }
        }

        if (tryOperation.Finally is { } ownFinally && Settling(ownFinally, Settlement.Acknowledge, types).FirstOrDefault() is { } inOwnFinally)
        {
            return new MessageConfirmation(ConfirmationPlace.InFinally, inOwnFinally, NameOf(inOwnFinally));
        }

        if (after is not null)
        {
            var call = Settling(after, Settlement.Acknowledge, types).First();
            return new MessageConfirmation(ConfirmationPlace.After, call, NameOf(call));
        }

        if (Broker == Broker.RabbitMq && IsAutoAcked(types))
        {
            return new MessageConfirmation(ConfirmationPlace.AutoAck, null, null);
        }

        return Broker == Broker.ServiceBus && catchClause.SemanticModel is { } model && !TurnsAutoCompleteOff(model.Compilation)
            ? new MessageConfirmation(ConfirmationPlace.AutoComplete, null, null)
            : null;
    }

    /// <summary>
    /// The handler is a lambda added to a consumer's <c>ReceivedAsync</c> (or version 6's <c>Received</c>) event, and the
    /// member that adds it passes that same consumer (a local, field, property or parameter) to
    /// <c>BasicConsume(Async)</c> with a constant <c>autoAck: true</c>: every message is acknowledged as it is delivered.
    /// A handler method added elsewhere, or a consumer started in another member, is not followed.
    /// </summary>
    private bool IsAutoAcked(KnownTypes types)
    {
        IOperation current = Body.Parent is IAnonymousFunctionOperation lambda ? lambda : Body;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        if (current.Parent is not IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Event.Name: "ReceivedAsync" or "Received", Instance: { } consumerReference } } subscription
            || !(TypeSymbols.IsOrDerives(consumerReference.Type, types.RabbitMqAsyncEventingBasicConsumer) || TypeSymbols.IsOrDerives(consumerReference.Type, types.RabbitMqEventingBasicConsumer))
            || LocalValues.ReferencedSymbol(consumerReference) is not { } consumer)
        {
            return false;
        }

        return subscription.Root().Descendants().OfType<IInvocationOperation>().Any(call =>
            call.TargetMethod.Name is "BasicConsume" or "BasicConsumeAsync"
            && call.Arguments.Any(a => a.Parameter?.Name == "autoAck" && a.Value.ConstantValue is { HasValue: true, Value: true })
            && call.Arguments.Any(a => a.Parameter?.Name == "consumer" && SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(a.Value), consumer)));
    }


    /// <summary>Says what the handler does with the message, for SLU202's message: "then acknowledges the message ('BasicAckAsync')".</summary>
    public string Describe(MessageConfirmation confirmation)
    {
        var verb = Broker == Broker.ServiceBus ? "completes" : "acknowledges";
        return confirmation.Place switch
        {
            ConfirmationPlace.InCatch => $"{verb} the message ('{confirmation.CallName}')",
            ConfirmationPlace.InFinally => $"{verb} the message in 'finally' ('{confirmation.CallName}')",
            ConfirmationPlace.After => $"then {verb} the message ('{confirmation.CallName}')",
            ConfirmationPlace.AutoAck => "returns, but the consumer acknowledged the message on delivery (autoAck: true)",
            _ => "returns normally, which lets the processor complete the message (AutoCompleteMessages)",
        };
    }

    private static MessageHandler? Of(IMethodSymbol method, IBlockOperation body, KnownTypes types)
    {
        foreach (var parameter in method.Parameters)
        {
            if (TypeSymbols.IsOrDerives(parameter.Type, types.RabbitMqBasicDeliverEventArgs))
            {
                return new MessageHandler(body, parameter, Broker.RabbitMq);
            }

            if (TypeSymbols.IsOrDerives(parameter.Type, types.ProcessMessageEventArgs) || TypeSymbols.IsOrDerives(parameter.Type, types.ProcessSessionMessageEventArgs))
            {
                return new MessageHandler(body, parameter, Broker.ServiceBus);
            }
        }

        // A consumer's own delivery method: HandleBasicDeliverAsync (7) or HandleBasicDeliver (6) of a class that derives
        // from AsyncDefaultBasicConsumer/DefaultBasicConsumer or implements IAsyncBasicConsumer/IBasicConsumer itself.
        // The message is its body.
        if (method is { Name: "HandleBasicDeliverAsync" or "HandleBasicDeliver", MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation }
            && (TypeSymbols.IsOrDerives(method.ContainingType, types.RabbitMqAsyncBasicConsumer) || TypeSymbols.IsOrDerives(method.ContainingType, types.RabbitMqBasicConsumer))
            && (method.IsOverride || method.ExplicitInterfaceImplementations.Length > 0 || ImplementsDelivery(method))
            && method.Parameters.FirstOrDefault(p => p.Type is INamedTypeSymbol { Name: "ReadOnlyMemory" }) is { } messageBody)
        {
            return new MessageHandler(body, messageBody, Broker.RabbitMq);
        }

        return null;
    }

    /// <summary>The method implements its type's consumer interface's delivery method (an implicit implementation).</summary>
    private static bool ImplementsDelivery(IMethodSymbol method)
        => method.ContainingType.AllInterfaces.Any(consumer => consumer.GetMembers(method.Name).Any(member =>
            SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method)));

    /// <summary>The try does work of its own: a call that neither logs nor settles the message.</summary>
    private static bool DoesWork(IOperation tryBody, KnownTypes types)
        => tryBody.OwnDescendants().Any(o =>
            (o is IInvocationOperation call && !Logging.LooksLikeLogging(call) && SettlementOf(call, types) == Settlement.None)
            || (o is IInvalidOperation { Syntax: InvocationExpressionSyntax } && SettlementOf(o, types) == Settlement.None)
            || o is IThrowOperation);

    private static IOperation StatementExpression(IOperation statement)
        => statement is IExpressionStatementOperation expression ? expression.Operation : statement;

    /// <summary><c>return;</c> or <c>return Task.CompletedTask;</c>: the handler ends.</summary>
    private static bool IsPlainReturn(IOperation statement)
        => statement is IReturnOperation { ReturnedValue: null or IPropertyReferenceOperation { Property.Name: "CompletedTask" } };

    private static string NameOf(IOperation call)
        => call switch
        {
            IInvocationOperation invocation => invocation.TargetMethod.Name,
            _ => call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Name.Identifier.ValueText : "the acknowledgement",
        };

    /// <summary>
    /// The compilation sets <c>AutoCompleteMessages</c> (of a processor's options) to anything but <c>true</c>
    /// somewhere: then a handler that returns normally may be settling its messages itself, and auto-complete is not
    /// assumed. Read once per compilation, from the syntax of the trees that mention the name.
    /// </summary>
    private static bool TurnsAutoCompleteOff(Compilation compilation)
        => (bool)AutoCompleteTurnedOff.GetValue(compilation, c => c.SyntaxTrees.Any(SetsAutoCompleteOff));

    private static bool SetsAutoCompleteOff(SyntaxTree tree)
    {
        if (tree.GetText().ToString().IndexOf("AutoCompleteMessages", StringComparison.Ordinal) < 0)
        {
            return false;
        }

        return tree.GetRoot().DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(assignment =>
            assignment.Left switch
            {
                IdentifierNameSyntax { Identifier.ValueText: "AutoCompleteMessages" } => true,
                MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AutoCompleteMessages" } => true,
                _ => false,
            }
            && !assignment.Right.IsKind(SyntaxKind.TrueLiteralExpression));
    }
}
