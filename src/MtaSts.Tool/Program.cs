using MtaSts.Tool.Cli;

return await ToolCommandLine.RunAsync(args).ConfigureAwait(false);
