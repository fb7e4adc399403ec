Console.WriteLine("usage: dotnet run -c Release --project tests/IpsecMesh.Benchmarks -- <pki>");
return 2;
