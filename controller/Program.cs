return await IpsecMesh.Cli.CommandLine.RunAsync(args);
