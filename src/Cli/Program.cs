// sluice: the operations command of a Sluice store. See README.md for the runbook.
using Sluice.Cli;

return await SluiceCommand.RunAsync(args);
