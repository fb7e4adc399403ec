return await new IpsecMesh.Cli.IpsecMeshCli().RunAsync(args);
