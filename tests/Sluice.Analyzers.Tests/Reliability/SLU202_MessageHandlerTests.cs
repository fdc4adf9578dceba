using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

/// <summary>SLU202 in broker message handlers (RabbitMQ.Client 7, Azure Service Bus, Confluent.Kafka), against the real packages.</summary>
public class SLU202_MessageHandlerTests
{
    private static RuleTest Rabbit(string source)
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithSource(source).WithLibraries(Library.Logging, Library.RabbitMq);

    private static RuleTest ServiceBus(string source)
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithSource(source).WithLibraries(Library.Logging, Library.ServiceBus);

    private static RuleTest Rabbit6(string source)
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithSource(source).WithLibraries(Library.Logging, Library.RabbitMq6);

    private static RuleTest Kafka(string source)
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithSource(source).WithLibraries(Library.Logging, Library.Kafka);

    // ---- RabbitMQ ------------------------------------------------------------------------------

    [Fact]
    public Task A_ReceivedAsync_lambda_that_logs_and_then_acknowledges_is_reported()
        => Rabbit("""
            using System;
            using System.Text;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IChannel channel, ILogger<OrderConsumer> logger)
            {
                public async Task StartAsync()
                {
                    var consumer = new AsyncEventingBasicConsumer(channel);
                    consumer.ReceivedAsync += async (sender, delivery) =>
                    {
                        var message = Encoding.UTF8.GetString(delivery.Body.Span);
                        try
                        {
                            await HandleAsync(message);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogWarning(ex, "Could not handle {Message}", message);
                        }

                        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    };
                    await channel.BasicConsumeAsync("orders", autoAck: false, consumer);
                }

                Task HandleAsync(string message) => Task.CompletedTask;
            }
            """)
            .WithMessages("'catch (Exception ex)' logs the failure and then acknowledges the message ('BasicAckAsync'), so 'delivery' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_handler_method_that_acknowledges_in_finally_is_reported()
        => Rabbit("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IChannel channel, ILogger logger)
            {
                public void Subscribe(AsyncEventingBasicConsumer consumer) => consumer.ReceivedAsync += OnReceivedAsync;

                private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    try
                    {
                        await HandleAsync(delivery.Body);
                    }
                    [|catch (InvalidOperationException ex)|]
                    {
                        logger.LogError(ex, "Handling failed");
                        return;
                    }
                    finally
                    {
                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }
                }

                Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
            }
            """)
            .WithMessages("'catch (InvalidOperationException ex)' logs the failure and acknowledges the message in 'finally' ('BasicAckAsync'), so 'delivery' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_HandleBasicDeliverAsync_override_that_acknowledges_in_the_catch_is_reported()
        => Rabbit("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using RabbitMQ.Client;

            class InvoiceConsumer(IChannel channel) : AsyncDefaultBasicConsumer(channel)
            {
                public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
                    string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
                {
                    try
                    {
                        Book(body.ToArray());
                        await Channel.BasicAckAsync(deliveryTag, false, cancellationToken);
                    }
                    [|catch (FormatException ex)|]
                    {
                        Console.Error.WriteLine(ex);
                        await Channel.BasicAckAsync(deliveryTag, false, cancellationToken);
                    }
                }

                void Book(byte[] invoice) { }
            }
            """)
            .WithMessages("'catch (FormatException ex)' logs the failure and acknowledges the message ('BasicAckAsync'), so 'body' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Theory]
    [InlineData("await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false); return;")]
    [InlineData("await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: true); return;")]
    [InlineData("await channel.BasicPublishAsync(\"retries\", \"orders\", delivery.Body); ")]
    [InlineData("throw;")]
    [InlineData("return;")]
    [InlineData("failed = true;")]
    public Task A_RabbitMQ_catch_that_refuses_rethrows_or_skips_the_ack_is_silent(string handling)
        => Rabbit($$"""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IChannel channel, ILogger logger)
            {
                private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    var failed = false;
                    try
                    {
                        await HandleAsync(delivery.Body);
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Handling failed");
                        {{handling}}
                    }

                    if (!failed)
                    {
                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }
                }

                Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task Acknowledging_only_on_the_success_path_or_in_an_attempt_loop_is_silent()
        => Rabbit("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IChannel channel, ILogger logger)
            {
                private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    try
                    {
                        await HandleAsync(delivery.Body);
                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Handling failed; the message stays unacknowledged");
                    }
                }

                private async Task WithRetriesAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    for (var attempt = 1; attempt <= 3; attempt++)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                            break;
                        }
                        catch (Exception ex)
                        {
                            logger.LogWarning(ex, "Attempt {Attempt} failed", attempt);
                        }
                    }

                    await channel.BasicAckAsync(delivery.DeliveryTag, false);
                }

                private async Task FallsThroughAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    byte[]? copy = null;
                    try
                    {
                        copy = delivery.Body.ToArray();
                    }
                    catch (Exception ex)
                    {
                        logger.LogWarning(ex, "Copy failed");
                    }

                    await HandleAsync(copy ?? delivery.Body);
                    await channel.BasicAckAsync(delivery.DeliveryTag, false);
                }

                private async Task AckFailsAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    await HandleAsync(delivery.Body);
                    try
                    {
                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }
                    catch (Exception ex)
                    {
                        logger.LogWarning(ex, "Ack failed; the broker redelivers");
                    }
                }

                Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task Without_the_broker_library_a_method_like_a_handler_is_not_a_handler()
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithLibraries(Library.Logging).WithSource("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class BasicDeliverEventArgs { public ulong DeliveryTag { get; set; } }

            interface IChannel { Task BasicAckAsync(ulong tag, bool multiple); }

            class OrderConsumer(IChannel channel, ILogger logger)
            {
                private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
                {
                    try { await HandleAsync(); }
                    catch (Exception ex) { logger.LogError(ex, "Handling failed"); }

                    await channel.BasicAckAsync(delivery.DeliveryTag, false);
                }

                Task HandleAsync() => Task.CompletedTask;
            }
            """).RunAsync();

    // ---- Azure Service Bus ---------------------------------------------------------------------

    [Fact]
    public Task A_ProcessMessageAsync_handler_that_logs_and_then_completes_is_reported()
        => ServiceBus("""
            using System;
            using System.Threading.Tasks;
            using Azure.Messaging.ServiceBus;
            using Microsoft.Extensions.Logging;

            class PaymentListener(ServiceBusClient client, ILogger logger)
            {
                public async Task StartAsync()
                {
                    var processor = client.CreateProcessor("payments", new ServiceBusProcessorOptions { AutoCompleteMessages = false });
                    processor.ProcessMessageAsync += OnMessageAsync;
                    processor.ProcessErrorAsync += _ => Task.CompletedTask;
                    await processor.StartProcessingAsync();
                }

                private async Task OnMessageAsync(ProcessMessageEventArgs args)
                {
                    try
                    {
                        await BookAsync(args.Message.Body.ToString());
                    }
                    [|catch (FormatException ex)|]
                    {
                        logger.LogError(ex, "Unreadable payment {Id}", args.Message.MessageId);
                    }

                    await args.CompleteMessageAsync(args.Message);
                }

                Task BookAsync(string payment) => Task.CompletedTask;
            }
            """)
            .WithMessages("'catch (FormatException ex)' logs the failure and then completes the message ('CompleteMessageAsync'), so 'args' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_handler_that_returns_normally_with_auto_complete_on_is_reported()
        => ServiceBus("""
            using System;
            using System.Threading.Tasks;
            using Azure.Messaging.ServiceBus;
            using Microsoft.Extensions.Logging;

            class PaymentListener(ServiceBusProcessor processor, ILogger logger)
            {
                public Task StartAsync()
                {
                    processor.ProcessMessageAsync += async args =>
                    {
                        try
                        {
                            await BookAsync(args.Message.Body.ToString());
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Payment failed");
                        }
                    };
                    processor.ProcessErrorAsync += _ => Task.CompletedTask;
                    return processor.StartProcessingAsync();
                }

                Task BookAsync(string payment) => Task.CompletedTask;
            }
            """)
            .WithMessages("'catch (Exception ex)' logs the failure and returns normally, which lets the processor complete the message (AutoCompleteMessages), so 'args' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Theory]
    [InlineData("await args.AbandonMessageAsync(args.Message);")]
    [InlineData("await args.DeadLetterMessageAsync(args.Message, ex.GetType().Name, ex.Message); return;")]
    [InlineData("await args.DeferMessageAsync(args.Message); return;")]
    [InlineData("throw;")]
    public Task A_Service_Bus_catch_that_abandons_dead_letters_defers_or_rethrows_is_silent(string handling)
        => ServiceBus($$"""
            using System;
            using System.Threading.Tasks;
            using Azure.Messaging.ServiceBus;
            using Microsoft.Extensions.Logging;

            class PaymentListener(ILogger logger)
            {
                private async Task OnMessageAsync(ProcessMessageEventArgs args)
                {
                    try
                    {
                        await BookAsync(args.Message.Body.ToString());
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Payment failed");
                        {{handling}}
                    }

                    await args.CompleteMessageAsync(args.Message);
                }

                Task BookAsync(string payment) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task With_auto_complete_turned_off_a_handler_that_only_completes_on_success_is_silent()
        => ServiceBus("""
            using System;
            using System.Threading.Tasks;
            using Azure.Messaging.ServiceBus;
            using Microsoft.Extensions.Logging;

            class PaymentListener(ServiceBusClient client, ILogger logger)
            {
                public ServiceBusProcessor Create()
                {
                    var options = new ServiceBusProcessorOptions();
                    options.AutoCompleteMessages = false;
                    var processor = client.CreateProcessor("payments", options);
                    processor.ProcessMessageAsync += OnMessageAsync;
                    return processor;
                }

                private async Task OnMessageAsync(ProcessMessageEventArgs args)
                {
                    try
                    {
                        await BookAsync(args.Message.Body.ToString());
                        await args.CompleteMessageAsync(args.Message);
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Payment failed; the lock expires and the message is delivered again");
                    }
                }

                Task BookAsync(string payment) => Task.CompletedTask;
            }
            """).RunAsync();

    // ---- Confluent.Kafka -----------------------------------------------------------------------

    [Fact]
    public Task A_consume_loop_that_commits_after_in_finally_or_in_the_catch_is_reported()
        => Kafka("""
            using System;
            using System.Threading;
            using Confluent.Kafka;
            using Microsoft.Extensions.Logging;

            class Payments(IConsumer<string, string> consumer, ILogger logger)
            {
                void CommitAfter(CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        var result = consumer.Consume(token);
                        try { Book(result.Message.Value); }
                        [|catch (FormatException ex)|] { logger.LogError(ex, "Unreadable payment"); }

                        consumer.Commit(result);
                    }
                }

                void CommitInFinally(CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        var result = consumer.Consume(token);
                        try { Book(result.Message.Value); }
                        [|catch (FormatException ex)|] { logger.LogError(ex, "Unreadable payment"); }
                        finally { consumer.StoreOffset(result); }
                    }
                }

                void CommitInCatch(CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        var result = consumer.Consume(token);
                        try
                        {
                            Book(result.Message.Value);
                            consumer.Commit(result);
                        }
                        [|catch (FormatException ex)|]
                        {
                            logger.LogError(ex, "Unreadable payment");
                            consumer.Commit(result);
                        }
                    }
                }

                void Book(string payment) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_consume_loop_that_produces_to_a_dead_letter_topic_or_seeks_back_is_silent()
        => Kafka("""
            using System;
            using System.Threading;
            using Confluent.Kafka;
            using Microsoft.Extensions.Logging;

            class Payments(IConsumer<string, string> consumer, IProducer<string, string> producer, ILogger logger)
            {
                void DeadLetters(CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        var result = consumer.Consume(token);
                        var payment = result.Message.Value;
                        try { Book(payment); }
                        catch (FormatException ex)
                        {
                            logger.LogError(ex, "Unreadable payment");
                            producer.Produce("payments-dlq", new Message<string, string> { Key = "payment", Value = payment });
                        }

                        consumer.Commit(result);
                    }
                }

                void SeeksBack(CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        var result = consumer.Consume(token);
                        try
                        {
                            Book(result.Message.Value);
                            consumer.Commit(result);
                        }
                        catch (TimeoutException ex)
                        {
                            logger.LogWarning(ex, "Booking timed out; reading the payment again");
                            consumer.Seek(result.TopicPartitionOffset);
                        }
                    }
                }

                void Book(string payment) { }
            }
            """).RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task The_nack_fix_rejects_to_the_dead_letter_exchange_and_skips_the_ack_in_every_handler()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.NackKey)
            .WithLibraries(Library.Logging, Library.RabbitMq)
            .WithSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    public void Subscribe(AsyncEventingBasicConsumer consumer, CancellationToken token)
                    {
                        consumer.ReceivedAsync += async (sender, delivery) =>
                        {
                            try
                            {
                                await HandleAsync(delivery.Body);
                            }
                            [|catch (Exception ex)|]
                            {
                                logger.LogWarning(ex, "Handling failed");
                            }

                            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, token);
                        };
                    }

                    private async Task OnRefundAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (FormatException ex)|]
                        {
                            logger.LogError(ex, "Unreadable refund");
                        }

                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    public void Subscribe(AsyncEventingBasicConsumer consumer, CancellationToken token)
                    {
                        consumer.ReceivedAsync += async (sender, delivery) =>
                        {
                            try
                            {
                                await HandleAsync(delivery.Body);
                            }
                            catch (Exception ex)
                            {
                                logger.LogWarning(ex, "Handling failed");
                                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, cancellationToken: token);
                                return;
                            }

                            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, token);
                        };
                    }

                    private async Task OnRefundAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        catch (FormatException ex)
                        {
                            logger.LogError(ex, "Unreadable refund");
                            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
                            return;
                        }

                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_first_fix_for_an_ack_after_the_catch_is_the_nack_and_the_rethrow_is_offered_too()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.RethrowKey)
            .WithLibraries(Library.Logging, Library.RabbitMq)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }

                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        catch (Exception ex)
                        {
                            logger.LogError(ex, "Handling failed");
                            throw;
                        }

                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Theory]
    [InlineData(RecordDroppedCodeFix.RethrowKey)]
    [InlineData(RecordDroppedCodeFix.NackKey)]
    public Task Neither_nack_nor_rethrow_is_offered_when_finally_acknowledges_anyway(string key)
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(key)
            .WithLibraries(Library.Logging, Library.RabbitMq)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                        finally
                        {
                            await channel.BasicAckAsync(delivery.DeliveryTag, false);
                        }
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_nack_fix_is_not_offered_when_more_than_the_ack_follows_the_try()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.NackKey)
            .WithLibraries(Library.Logging, Library.RabbitMq)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private int handled;

                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }

                        handled++;
                        await channel.BasicAckAsync(delivery.DeliveryTag, false);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task With_the_runtime_the_first_fix_writes_the_message_body_to_a_dead_letter_sink_and_keeps_the_ack()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>()
            .WithLibraries(Library.Logging, Library.RabbitMq, Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                namespace Shop;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                        finally
                        {
                            await channel.BasicAckAsync(delivery.DeliveryTag, false);
                        }
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;
                using Sluice;

                namespace Shop;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/OrderConsumer.jsonl");

                    private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        catch (Exception ex)
                        {
                            await DeadLetterSink.WriteAsync(DeadLetter.From(delivery.Body.ToArray(), ex));
                            logger.LogError(ex, "Handling failed");
                        }
                        finally
                        {
                            await channel.BasicAckAsync(delivery.DeliveryTag, false);
                        }
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_Service_Bus_fix_dead_letters_with_reason_and_description_for_auto_complete_and_after_complete()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterMessageKey)
            .WithLibraries(Library.Logging, Library.ServiceBus)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Azure.Messaging.ServiceBus;
                using Microsoft.Extensions.Logging;

                class PaymentListener(ILogger logger)
                {
                    private async Task OnPaymentAsync(ProcessMessageEventArgs args)
                    {
                        try
                        {
                            await BookAsync(args.Message.Body.ToString());
                        }
                        [|catch (FormatException ex)|]
                        {
                            logger.LogError(ex, "Unreadable payment");
                        }
                    }

                    private async Task OnRefundAsync(ProcessMessageEventArgs args)
                    {
                        try
                        {
                            await BookAsync(args.Message.Body.ToString());
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Refund failed");
                        }

                        await args.CompleteMessageAsync(args.Message);
                    }

                    Task BookAsync(string payment) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading.Tasks;
                using Azure.Messaging.ServiceBus;
                using Microsoft.Extensions.Logging;

                class PaymentListener(ILogger logger)
                {
                    private async Task OnPaymentAsync(ProcessMessageEventArgs args)
                    {
                        try
                        {
                            await BookAsync(args.Message.Body.ToString());
                        }
                        catch (FormatException ex)
                        {
                            logger.LogError(ex, "Unreadable payment");
                            await args.DeadLetterMessageAsync(args.Message, ex.GetType().Name, ex.Message, args.CancellationToken);
                        }
                    }

                    private async Task OnRefundAsync(ProcessMessageEventArgs args)
                    {
                        try
                        {
                            await BookAsync(args.Message.Body.ToString());
                        }
                        catch (Exception ex)
                        {
                            logger.LogError(ex, "Refund failed");
                            await args.DeadLetterMessageAsync(args.Message, ex.GetType().Name, ex.Message, args.CancellationToken);
                            return;
                        }

                        await args.CompleteMessageAsync(args.Message);
                    }

                    Task BookAsync(string payment) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_rethrow_fix_is_not_offered_for_a_consume_loop_that_commits_in_the_catch()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.RethrowKey)
            .WithLibraries(Library.Logging, Library.Kafka)
            .WithSource("""
                using System;
                using System.Threading;
                using Confluent.Kafka;
                using Microsoft.Extensions.Logging;

                class Payments(IConsumer<string, string> consumer, ILogger logger)
                {
                    void Run(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try
                            {
                                Book(result.Message.Value);
                                consumer.Commit(result);
                            }
                            [|catch (FormatException ex)|]
                            {
                                logger.LogError(ex, "Unreadable payment");
                                consumer.Commit(result);
                            }
                        }
                    }

                    void Book(string payment) { }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Consumers that implement the interface themselves, and RabbitMQ.Client 6 ----------------

    [Fact]
    public Task A_class_that_implements_IAsyncBasicConsumer_itself_is_a_handler()
        => Rabbit("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class ShipmentConsumer(IChannel channel, ILogger logger) : IAsyncBasicConsumer
            {
                public IChannel? Channel => channel;

                public async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
                    string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
                {
                    try
                    {
                        await ShipAsync(body.ToArray());
                    }
                    [|catch (Exception ex)|]
                    {
                        logger.LogError(ex, "Shipment failed");
                    }

                    await channel.BasicAckAsync(deliveryTag, false, cancellationToken);
                }

                public Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task HandleBasicCancelOkAsync(string consumerTag, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task HandleBasicConsumeOkAsync(string consumerTag, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task HandleChannelShutdownAsync(object channel, ShutdownEventArgs reason) => Task.CompletedTask;

                // Same name, not the interface's method: no message comes in here.
                public async Task HandleBasicDeliverAsync(ReadOnlyMemory<byte> body)
                {
                    try
                    {
                        await ShipAsync(body.ToArray());
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Shipment failed");
                    }

                    await channel.BasicAckAsync(0, false);
                }

                Task ShipAsync(byte[] shipment) => Task.CompletedTask;
            }
            """)
            .WithMessages("'catch (Exception ex)' logs the failure and then acknowledges the message ('BasicAckAsync'), so 'body' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task RabbitMQ_6_handlers_that_log_and_then_BasicAck_are_reported()
        => Rabbit6("""
            using System;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IModel model, ILogger logger)
            {
                public void Start()
                {
                    var consumer = new EventingBasicConsumer(model);
                    consumer.Received += (sender, delivery) =>
                    {
                        try
                        {
                            Handle(delivery.Body.ToArray());
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }

                        model.BasicAck(delivery.DeliveryTag, false);
                    };
                    model.BasicConsume("orders", false, consumer);
                }

                void Handle(byte[] order) { }
            }

            class InvoiceConsumer(IModel model, ILogger logger) : DefaultBasicConsumer(model)
            {
                public override void HandleBasicDeliver(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
                    string routingKey, IBasicProperties properties, ReadOnlyMemory<byte> body)
                {
                    try
                    {
                        Book(body.ToArray());
                    }
                    [|catch (FormatException ex)|]
                    {
                        logger.LogWarning(ex, "Unreadable invoice");
                    }
                    finally
                    {
                        Model.BasicAck(deliveryTag, false);
                    }
                }

                void Book(byte[] invoice) { }
            }
            """)
            .WithMessages(
                "'catch (Exception ex)' logs the failure and then acknowledges the message ('BasicAck'), so 'delivery' is lost: nothing rethrows, retries or dead-letters it",
                "'catch (FormatException ex)' logs the failure and acknowledges the message in 'finally' ('BasicAck'), so 'body' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Theory]
    [InlineData("model.BasicNack(delivery.DeliveryTag, false, false); return;")]
    [InlineData("model.BasicReject(delivery.DeliveryTag, true); return;")]
    [InlineData("throw;")]
    [InlineData("return;")]
    public Task A_RabbitMQ_6_catch_that_refuses_rethrows_or_skips_the_ack_is_silent(string handling)
        => Rabbit6($$"""
            using System;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IModel model, ILogger logger)
            {
                private void OnReceived(object? sender, BasicDeliverEventArgs delivery)
                {
                    try
                    {
                        Handle(delivery.Body.ToArray());
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "Handling failed");
                        {{handling}}
                    }

                    model.BasicAck(delivery.DeliveryTag, false);
                }

                void Handle(byte[] order) { }
            }
            """).RunAsync();

    [Fact]
    public Task The_nack_fix_answers_a_RabbitMQ_6_BasicAck_with_BasicNack_in_every_handler()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.NackKey)
            .WithLibraries(Library.Logging, Library.RabbitMq6)
            .WithSource("""
                using System;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IModel model, ILogger logger)
                {
                    public void Subscribe(EventingBasicConsumer consumer)
                    {
                        consumer.Received += (sender, delivery) =>
                        {
                            try
                            {
                                Handle(delivery.Body.ToArray());
                            }
                            [|catch (Exception ex)|]
                            {
                                logger.LogError(ex, "Handling failed");
                            }

                            model.BasicAck(delivery.DeliveryTag, multiple: false);
                        };
                    }

                    private void OnRefund(object? sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            Handle(delivery.Body.ToArray());
                        }
                        [|catch (FormatException ex)|]
                        {
                            logger.LogWarning(ex, "Unreadable refund");
                        }

                        model.BasicAck(delivery.DeliveryTag, false);
                    }

                    void Handle(byte[] order) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IModel model, ILogger logger)
                {
                    public void Subscribe(EventingBasicConsumer consumer)
                    {
                        consumer.Received += (sender, delivery) =>
                        {
                            try
                            {
                                Handle(delivery.Body.ToArray());
                            }
                            catch (Exception ex)
                            {
                                logger.LogError(ex, "Handling failed");
                                model.BasicNack(delivery.DeliveryTag, multiple: false, requeue: false);
                                return;
                            }

                            model.BasicAck(delivery.DeliveryTag, multiple: false);
                        };
                    }

                    private void OnRefund(object? sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            Handle(delivery.Body.ToArray());
                        }
                        catch (FormatException ex)
                        {
                            logger.LogWarning(ex, "Unreadable refund");
                            model.BasicNack(delivery.DeliveryTag, multiple: false, requeue: false);
                            return;
                        }

                        model.BasicAck(delivery.DeliveryTag, false);
                    }

                    void Handle(byte[] order) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_RabbitMQ_6_nack_fix_is_not_offered_when_finally_acknowledges()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.NackKey)
            .WithLibraries(Library.Logging, Library.RabbitMq6)
            .WithSource("""
                using System;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IModel model, ILogger logger)
                {
                    private void OnOrder(object? sender, BasicDeliverEventArgs delivery)
                    {
                        try
                        {
                            Handle(delivery.Body.ToArray());
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                        finally
                        {
                            model.BasicAck(delivery.DeliveryTag, false);
                        }
                    }

                    void Handle(byte[] order) { }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- autoAck: true ------------------------------------------------------------------------

    [Fact]
    public Task A_handler_on_a_consumer_started_with_autoAck_that_logs_is_reported()
        => Rabbit("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IChannel channel, ILogger logger)
            {
                private AsyncEventingBasicConsumer? _consumer;

                public async Task StartAsync()
                {
                    var consumer = new AsyncEventingBasicConsumer(channel);
                    consumer.ReceivedAsync += async (sender, delivery) =>
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                    };
                    await channel.BasicConsumeAsync("orders", autoAck: true, consumer);
                }

                public async Task StartFieldAsync()
                {
                    _consumer = new AsyncEventingBasicConsumer(channel);
                    _consumer.ReceivedAsync += async (sender, delivery) =>
                    {
                        try
                        {
                            await HandleAsync(delivery.Body);
                        }
                        [|catch (InvalidOperationException ex)|]
                        {
                            logger.LogWarning(ex, "Handling failed");
                            return;
                        }
                    };
                    await channel.BasicConsumeAsync(queue: "refunds", autoAck: true, consumer: _consumer);
                }

                Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
            }
            """)
            .WithMessages(
                "'catch (Exception ex)' logs the failure and returns, but the consumer acknowledged the message on delivery (autoAck: true), so 'delivery' is lost: nothing rethrows, retries or dead-letters it",
                "'catch (InvalidOperationException ex)' logs the failure and returns, but the consumer acknowledged the message on delivery (autoAck: true), so 'delivery' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_RabbitMQ_6_handler_on_a_consumer_started_with_autoAck_that_logs_is_reported()
        => Rabbit6("""
            using System;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            class OrderConsumer(IModel model, ILogger logger)
            {
                public void Start()
                {
                    var consumer = new EventingBasicConsumer(model);
                    consumer.Received += (sender, delivery) =>
                    {
                        try
                        {
                            Handle(delivery.Body.ToArray());
                        }
                        [|catch (Exception ex)|]
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                    };
                    model.BasicConsume("orders", true, consumer);
                }

                void Handle(byte[] order) { }
            }
            """)
            .RunAsync();

    [Theory]
    [InlineData("autoAck: false", "")]
    [InlineData("autoAck: true", "throw;")]
    [InlineData("autoAck: true", "await deadLetters.SaveAsync(delivery.Body.ToArray(), ex);")]
    [InlineData("autoAck: true", "await deadLetters.SaveAsync(body, ex);")]
    public Task Without_autoAck_or_when_the_catch_rethrows_or_keeps_the_message_an_autoAck_handler_is_silent(string autoAck, string handling)
        => Rabbit($$"""
            using System;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;

            interface IDeadLetters
            {
                Task SaveAsync(byte[] body, Exception error);
            }

            class OrderConsumer(IChannel channel, IDeadLetters deadLetters, ILogger logger)
            {
                public async Task StartAsync(AsyncEventingBasicConsumer other)
                {
                    var consumer = new AsyncEventingBasicConsumer(channel);
                    consumer.ReceivedAsync += async (sender, delivery) =>
                    {
                        var body = delivery.Body.ToArray();
                        try
                        {
                            await HandleAsync(body);
                        }
                        catch (Exception ex)
                        {
                            logger.LogError(ex, "Handling failed");
                            {{handling}}
                        }
                    };
                    await channel.BasicConsumeAsync("orders", {{autoAck}}, consumer);

                    // Another consumer is started with autoAck, not the one the handler is on.
                    other.ReceivedAsync += async (sender, delivery) =>
                    {
                        try
                        {
                            await HandleAsync(delivery.Body.ToArray());
                        }
                        catch (Exception ex)
                        {
                            logger.LogError(ex, "Handling failed");
                        }
                    };
                    await channel.BasicConsumeAsync("refunds", autoAck: false, other);
                    await channel.BasicConsumeAsync("audit", autoAck: true, new AsyncEventingBasicConsumer(channel));
                }

                Task HandleAsync(byte[] body) => Task.CompletedTask;
            }
            """).RunAsync();

    [Theory]
    [InlineData(RecordDroppedCodeFix.RethrowKey)]
    [InlineData(RecordDroppedCodeFix.NackKey)]
    public Task Neither_rethrow_nor_nack_is_offered_for_an_autoAck_handler(string key)
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(key)
            .WithLibraries(Library.Logging, Library.RabbitMq)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    public async Task StartAsync()
                    {
                        var consumer = new AsyncEventingBasicConsumer(channel);
                        consumer.ReceivedAsync += async (sender, delivery) =>
                        {
                            try
                            {
                                await HandleAsync(delivery.Body);
                            }
                            [|catch (Exception ex)|]
                            {
                                logger.LogError(ex, "Handling failed");
                            }
                        };
                        await channel.BasicConsumeAsync("orders", autoAck: true, consumer);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task With_the_runtime_an_autoAck_handler_writes_the_message_body_to_a_dead_letter_sink()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterKey)
            .WithLibraries(Library.Logging, Library.RabbitMq, Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;

                namespace Shop;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    public async Task StartAsync()
                    {
                        var consumer = new AsyncEventingBasicConsumer(channel);
                        consumer.ReceivedAsync += async (sender, delivery) =>
                        {
                            try
                            {
                                await HandleAsync(delivery.Body);
                            }
                            [|catch (Exception ex)|]
                            {
                                logger.LogError(ex, "Handling failed");
                            }
                        };
                        await channel.BasicConsumeAsync("orders", autoAck: true, consumer);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using RabbitMQ.Client;
                using RabbitMQ.Client.Events;
                using Sluice;

                namespace Shop;

                class OrderConsumer(IChannel channel, ILogger logger)
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/OrderConsumer.jsonl");

                    public async Task StartAsync()
                    {
                        var consumer = new AsyncEventingBasicConsumer(channel);
                        consumer.ReceivedAsync += async (sender, delivery) =>
                        {
                            try
                            {
                                await HandleAsync(delivery.Body);
                            }
                            catch (Exception ex)
                            {
                                await DeadLetterSink.WriteAsync(DeadLetter.From(delivery.Body.ToArray(), ex));
                                logger.LogError(ex, "Handling failed");
                            }
                        };
                        await channel.BasicConsumeAsync("orders", autoAck: true, consumer);
                    }

                    Task HandleAsync(ReadOnlyMemory<byte> body) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    // ---- Kafka: produce to the dead-letter topic ----------------------------------------------

    [Fact]
    public Task The_Kafka_fix_produces_the_message_to_the_dead_letter_topic_before_the_commit_in_every_loop()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterTopicKey)
            .WithLibraries(Library.Logging, Library.Kafka)
            .WithSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Confluent.Kafka;
                using Microsoft.Extensions.Logging;

                class Payments(IConsumer<string, string> consumer, IProducer<string, string> producer, ILogger logger)
                {
                    private const string DeadLetterTopic = "payments.dead-letter";

                    async Task CommitAfterAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try { await BookAsync(result.Message.Value); }
                            [|catch (FormatException ex)|] { logger.LogError(ex, "Unreadable payment"); }

                            consumer.Commit(result);
                        }
                    }

                    async Task CommitInCatchAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try
                            {
                                await BookAsync(result.Message.Value);
                                consumer.Commit(result);
                            }
                            [|catch (FormatException ex)|]
                            {
                                logger.LogError(ex, "Unreadable payment");
                                consumer.Commit(result);
                            }
                        }
                    }

                    Task BookAsync(string payment) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Confluent.Kafka;
                using Microsoft.Extensions.Logging;

                class Payments(IConsumer<string, string> consumer, IProducer<string, string> producer, ILogger logger)
                {
                    private const string DeadLetterTopic = "payments.dead-letter";

                    async Task CommitAfterAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try { await BookAsync(result.Message.Value); }
                            catch (FormatException ex) { await producer.ProduceAsync(DeadLetterTopic, result.Message, token); logger.LogError(ex, "Unreadable payment"); }

                            consumer.Commit(result);
                        }
                    }

                    async Task CommitInCatchAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try
                            {
                                await BookAsync(result.Message.Value);
                                consumer.Commit(result);
                            }
                            catch (FormatException ex)
                            {
                                await producer.ProduceAsync(DeadLetterTopic, result.Message, token);
                                logger.LogError(ex, "Unreadable payment");
                                consumer.Commit(result);
                            }
                        }
                    }

                    Task BookAsync(string payment) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Theory]
    [InlineData("IProducer<string, string> producer", "string retryTopic", "async Task")]
    [InlineData("IProducer<string, byte[]> producer", "string deadLetterTopic", "async Task")]
    [InlineData("IProducer<string, string> producer, IProducer<string, string> audit", "string deadLetterTopic", "async Task")]
    [InlineData("IProducer<string, string> producer", "string deadLetterTopic, string dlqTopic", "async Task")]
    [InlineData("IProducer<string, string> producer", "string deadLetterTopic", "void")]
    public Task The_Kafka_fix_is_not_offered_without_one_matching_producer_one_dead_letter_topic_and_await(string producers, string topics, string returns)
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterTopicKey)
            .WithLibraries(Library.Logging, Library.Kafka)
            .WithSource($$"""
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Confluent.Kafka;
                using Microsoft.Extensions.Logging;

                class Payments(IConsumer<string, string> consumer, ILogger logger)
                {
                    {{returns}} Run({{producers}}, {{topics}}, CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var result = consumer.Consume(token);
                            try { Book(result.Message.Value); }
                            [|catch (FormatException ex)|] { logger.LogError(ex, "Unreadable payment"); }

                            consumer.Commit(result);
                        }
                    }

                    void Book(string payment) { }
                }
                """)
            .ExpectNoFix()
            .RunAsync();
}
