namespace Sluice.EndToEnd.Tests;

/// <summary>A RabbitMQ consumer built against the real RabbitMQ.Client package: SLU202 in a message handler, and its fix.</summary>
public sealed partial class ConsumerTests
{
    private const string OrderConsumerSource = """
        using System;
        using System.Text;
        using System.Threading.Tasks;
        using RabbitMQ.Client;
        using RabbitMQ.Client.Events;

        namespace Consumer;

        public sealed class OrderConsumer(IChannel channel)
        {
            public async Task StartAsync()
            {
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += OnOrderAsync;
                await channel.BasicConsumeAsync("orders", autoAck: false, consumer);
            }

            private async Task OnOrderAsync(object sender, BasicDeliverEventArgs delivery)
            {
                try
                {
                    Book(Encoding.UTF8.GetString(delivery.Body.Span));
                }
                catch (FormatException ex)
                {
                    Console.Error.WriteLine(ex);
                }

                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            }

            private static void Book(string order) => _ = decimal.Parse(order, System.Globalization.CultureInfo.InvariantCulture);
        }
        """;

    [Fact]
    public async Task A_RabbitMQ_consumer_that_logs_and_acknowledges_is_reported_and_fixed_with_a_nack_by_dotnet_format()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateLibraryConsumer("RabbitMQ.Client", PackedPackages.RabbitMqClientVersion, properties: "", ("OrderConsumer.cs", OrderConsumerSource));
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        var position = PositionOf(OrderConsumerSource, "catch (FormatException ex)");
        Assert.Contains(
            $"OrderConsumer.cs{position}: warning SLU202: 'catch (FormatException ex)' logs the failure and then acknowledges the message ('BasicAckAsync'), so 'delivery' is lost",
            build.Output,
            StringComparison.Ordinal);

        // Without the runtime the first fix is the broker's own: reject the message to the queue's dead-letter exchange.
        var format = await DotNetCli.RunAsync(project, environment, "format", "analyzers", "Consumer.csproj", "--diagnostics", "SLU202", "--severity", "info");
        Assert.True(format.ExitCode == 0, format.ToString());
        var fixedSource = await File.ReadAllTextAsync(Path.Combine(project, "OrderConsumer.cs"));
        Assert.Contains("await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);", fixedSource, StringComparison.Ordinal);

        var rebuilt = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(rebuilt.ExitCode == 0, "The fixed consumer must build cleanly with warnings as errors.\n" + rebuilt + "\n" + fixedSource);
        Assert.DoesNotContain(" SLU", rebuilt.Output, StringComparison.Ordinal);
    }
}
