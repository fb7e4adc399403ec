[assembly: AssemblyFixture(typeof(IpsecMesh.LocalStack.Tests.LocalStackFixture))]
