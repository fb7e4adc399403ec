#!/usr/bin/env bash
# Conformance: the simulated AWS (`ipsec-mesh simulate --serve`) driven by a client no one here wrote, the AWS CLI of
# Debian's awscli package, through every operation the controller and the operator verbs use (and the ones the developer
# loop uses), then deploy/localstack/init-aws.sh run against an empty simulated account through an `awslocal` shim
# (`aws --endpoint-url`), so the compose init hook is tested without Docker. Prints "N passed, N failed"; exits 1 on any failure.
# Usage: tests/conformance/run.sh [path/to/ipsec-mesh.dll]
# shellcheck disable=SC2015 # `test && ok || bad`: ok never fails
# shellcheck disable=SC2154 # AWS_ENDPOINT_URL and IpsecMesh__* come from the sourced env files
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

aws_cli=/usr/bin/aws # Debian's awscli, not whatever else is first on PATH
[ -x "$aws_cli" ] || { echo "conformance: $aws_cli is missing (apt-get install awscli)"; exit 1; }
dll=${1:-controller/bin/Release/net10.0/ipsec-mesh.dll}
if [ ! -f "$dll" ]; then dotnet build controller/ipsec-mesh.csproj -c Release -v q -nologo >/dev/null || exit 1; fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $1"; }
bad() {
  failed=$((failed + 1))
  echo "  FAIL $1"
  if [ -n "${2:-}" ]; then head -20 <<<"$2" | while IFS= read -r line; do echo "       $line"; done; fi
}

# check NAME EXPECTED-REGEX COMMAND...: runs the command; passes when it exits 0 and its output matches.
check() {
  local name=$1 expect=$2 out
  shift 2
  if out=$("$@" 2>&1) && grep -Eq -- "$expect" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}
# fails NAME EXPECTED-REGEX COMMAND...: passes when the command fails and its output matches (an error code).
fails() {
  local name=$1 expect=$2 out
  shift 2
  if ! out=$("$@" 2>&1) && grep -Eq -- "$expect" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}

# serve NAME ARGS...: starts a simulator on a free port; its environment lands in $work/NAME.env.
serve() {
  local name=$1
  shift
  dotnet "$dll" simulate --serve --port 0 --env-file "$work/$name.env" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do [ -s "$work/$name.env" ] && return 0; sleep 0.1; done
  echo "conformance: simulate --serve did not start:"; cat "$work/$name.log"; exit 1
}

# The LocalStack hook's section runs beside the others (the AWS CLI's start-up is most of this stage's time).
init_section() {
  passed=0
  failed=0
  echo "deploy/localstack/init-aws.sh against an empty account"
  mkdir -p "$work/bin"
  cat >"$work/bin/awslocal" <<SHIM
#!/bin/sh
exec $aws_cli --endpoint-url "\$AWS_ENDPOINT_URL" "\$@"
SHIM
  chmod +x "$work/bin/awslocal"
  (
    # shellcheck disable=SC1091
    . "$work/empty.env"
    export PATH="$work/bin:$PATH"
    bash deploy/localstack/init-aws.sh >"$work/init.log" 2>&1
  ) && ok "init-aws.sh exits 0" || bad "init-aws.sh" "$(cat "$work/init.log")"
  # shellcheck disable=SC1091
  . "$work/empty.env"
  local url
  url=$(aws sqs get-queue-url --queue-name ipsec-mesh-events --query QueueUrl --output text)
  check "init-aws.sh: bucket ipsec-mesh-local" "ipsec-mesh-local" aws s3 ls
  check "init-aws.sh: KMS aliases" "alias/ipsec-mesh-host" aws kms list-aliases
  check "init-aws.sh: queue with its dead-letter redrive" "ipsec-mesh-events-dlq" aws sqs get-queue-attributes --queue-url "$url" --attribute-names RedrivePolicy
  check "init-aws.sh: 3 instances tagged todo" "^3$" aws ec2 describe-instances --filters Name=tag:IPSec,Values=todo --query 'length(Reservations[].Instances[])'
  check "init-aws.sh: its EventBridge rule routed the launch tags to the queue" "Tag Change on Resource" aws sqs receive-message \
    --queue-url "$url" --max-number-of-messages 10 --query 'Messages[].Body'
  echo "$passed $failed" >"$work/init.counts"
}

started=$SECONDS
echo "conformance: $("$aws_cli" --version 2>&1)"
aws() { "$aws_cli" --endpoint-url "$AWS_ENDPOINT_URL" --output json "$@"; }
serve main --instances 3 --throttle none
serve empty --empty --throttle none
(init_section >"$work/init.out" 2>&1) &
init_pid=$!
# shellcheck disable=SC1091
. "$work/main.env"
ids=$(aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' --output text)
read -r i1 i2 i3 <<<"$ids"

echo "EC2"
check "describe-instances" "$i1" aws ec2 describe-instances
check "describe-instances --filters instance-state-name, vpc-id" "$i3" aws ec2 describe-instances \
  --filters Name=instance-state-name,Values=running "Name=vpc-id,Values=vpc-*" --query 'Reservations[].Instances[].InstanceId'
check "describe-instances --instance-ids" "\"$i2\"" aws ec2 describe-instances --instance-ids "$i2" --query 'Reservations[].Instances[].InstanceId'
check "describe-instances --max-results pages" "$i3" aws ec2 describe-instances --max-results 5 --query 'Reservations[].Instances[].InstanceId'
check "create-tags" "^$" aws ec2 create-tags --resources "$i1" "$i2" --tags Key=IPSec,Value=todo Key=team,Value=a
check "describe-instances --filters tag-key" "$i2" aws ec2 describe-instances --filters Name=tag-key,Values=IPSec --query 'Reservations[].Instances[].InstanceId'
check "describe-tags" '"Value": "todo"' aws ec2 describe-tags --filters "Name=resource-id,Values=$i1" Name=key,Values=IPSec
check "delete-tags" "^$" aws ec2 delete-tags --resources "$i2" --tags Key=team
check "describe-tags after delete-tags" '^\[\]$' aws ec2 describe-tags --filters "Name=resource-id,Values=$i2" Name=key,Values=team --query Tags
check "describe-security-groups" "udp" aws ec2 describe-security-groups --query 'SecurityGroups[].IpPermissions[].IpProtocol'
check "describe-vpcs cidr associations" "2600:" aws ec2 describe-vpcs --query 'Vpcs[].Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock' --output text
check "describe-network-interfaces --filters vpc-id" "eni-" aws ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$(aws ec2 describe-vpcs --query 'Vpcs[0].VpcId' --output text)" --max-results 5 --query 'NetworkInterfaces[].NetworkInterfaceId' --output text
check "describe-network-acls --filters association.subnet-id" "32767" aws ec2 describe-network-acls --filters "Name=association.subnet-id,Values=$(aws ec2 describe-subnets --query 'Subnets[0].SubnetId' --output text)" --query 'NetworkAcls[].Entries[].RuleNumber' --output text
check "describe-images" "ami-" aws ec2 describe-images --owners amazon --query 'Images[0].ImageId' --output text
new=$(aws ec2 run-instances --image-id ami-0simulated000001 --instance-type t3.micro --count 2 \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=conformance}]' --query 'Instances[].InstanceId' --output text)
if [ "$(wc -w <<<"$new")" = 2 ]; then ok "run-instances --count 2 --tag-specifications"; else bad "run-instances" "$new"; fi
read -r _ n2 <<<"$new"
ip=$(aws ec2 describe-instances --instance-ids "$n2" --query 'Reservations[0].Instances[0].PrivateIpAddress' --output text)
check "describe-instances --filters private-ip-address" "$n2" aws ec2 describe-instances --filters "Name=private-ip-address,Values=$ip" --query 'Reservations[].Instances[].InstanceId'
check "terminate-instances" "terminated" aws ec2 terminate-instances --instance-ids "$n2"
check "a terminated instance no longer matches its address" '^\[\]$' aws ec2 describe-instances --filters "Name=private-ip-address,Values=$ip" --query 'Reservations[].Instances[].InstanceId'
fails "an unknown instance is InvalidInstanceID.NotFound" "InvalidInstanceID.NotFound" aws ec2 describe-instances --instance-ids i-0123456789abcdef0

echo "SSM"
# Commands run only documents the account holds (AWS-RunShellScript is refused, as the stack's policy refuses it).
cat >"$work/shell.json" <<'DOC'
{"schemaVersion":"2.2","parameters":{"commands":{"type":"StringList"}},
 "mainSteps":[{"action":"aws:runShellScript","name":"run","inputs":{"runCommand":"{{ commands }}"}}]}
DOC
check "create-document" '"Status": "Active"' aws ssm create-document --name conformance-shell --document-type Command \
  --document-format JSON --content "file://$work/shell.json"
fails "send-command with AWS-RunShellScript is InvalidDocument" "InvalidDocument" aws ssm send-command --document-name AWS-RunShellScript \
  --instance-ids "$i1" --parameters 'commands=["true"]'
cid=$(aws ssm send-command --document-name conformance-shell --instance-ids "$i1" --comment "conformance" \
  --parameters 'commands=["echo hello"]' --query Command.CommandId --output text)
if [[ $cid =~ ^[0-9a-f-]{36}$ ]]; then ok "send-command"; else bad "send-command" "$cid"; fi
sleep 2
check "get-command-invocation" '"Status": "(Success|Failed)"' aws ssm get-command-invocation --command-id "$cid" --instance-id "$i1"
check "list-command-invocations --details" "\"CommandId\": \"$cid\"" aws ssm list-command-invocations --command-id "$cid" --details
check "list-commands" '"Comment": "conformance"' aws ssm list-commands --max-results 10
check "list-commands omits an absent Comment" '^None$' aws ssm list-commands --command-id "$cid" --query 'Commands[0].NextToken' --output text
check "describe-instance-information" "$i1" aws ssm describe-instance-information --filters "Key=InstanceIds,Values=$i1"
cid2=$(aws ssm send-command --document-name conformance-shell --instance-ids "$i3" --parameters 'commands=["sleep 1"]' --query Command.CommandId --output text)
check "cancel-command" "^$" aws ssm cancel-command --command-id "$cid2"
mapfile -t many < <(for i in $(seq 1 51); do printf 'i-%017x\n' "$i"; done)
fails "send-command to 51 instances is a ValidationException" "ValidationException" aws ssm send-command --document-name conformance-shell \
  --instance-ids "${many[@]}" --parameters 'commands=["true"]'

echo "KMS"
check "describe-key (alias)" '"KeyState": "Enabled"' aws kms describe-key --key-id alias/ipsec-mesh-ca
check "describe-key omits absent SigningAlgorithms" '^None$' aws kms describe-key --key-id alias/ipsec-mesh-ca --query KeyMetadata.SigningAlgorithms --output text
printf 'secret' >"$work/plain"
blob=$(aws kms encrypt --key-id alias/ipsec-mesh-ca --plaintext "fileb://$work/plain" --encryption-context purpose=conformance --query CiphertextBlob --output text)
[ -n "$blob" ] && ok "encrypt --encryption-context" || bad "encrypt"
base64 -d <<<"$blob" >"$work/blob"
check "decrypt" "$(base64 <"$work/plain")" aws kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=conformance --query Plaintext --output text
fails "decrypt with another context is InvalidCiphertextException" "InvalidCiphertextException" aws kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=other
check "generate-data-key" '"CiphertextBlob"' aws kms generate-data-key --key-id alias/ipsec-mesh-ca --key-spec AES_256
check "generate-random" '"Plaintext"' aws kms generate-random --number-of-bytes 32
signer=$(aws kms create-key --key-spec ECC_NIST_P384 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
[ -n "$signer" ] && ok "create-key ECC_NIST_P384 SIGN_VERIFY" || bad "create-key"
check "create-alias" "^$" aws kms create-alias --alias-name alias/conformance-signer --target-key-id "$signer"
check "list-aliases" "alias/conformance-signer" aws kms list-aliases
aws kms sign --key-id alias/conformance-signer --message "fileb://$work/plain" --signing-algorithm ECDSA_SHA_384 --query Signature --output text | base64 -d >"$work/sig"
[ -s "$work/sig" ] && ok "sign" || bad "sign"
check "verify" '"SignatureValid": true' aws kms verify --key-id alias/conformance-signer --message "fileb://$work/plain" --signature "fileb://$work/sig" --signing-algorithm ECDSA_SHA_384
fails "verify of another message is KMSInvalidSignatureException" "KMSInvalidSignatureException" \
  aws kms verify --key-id "$signer" --message "fileb://$work/blob" --signature "fileb://$work/sig" --signing-algorithm ECDSA_SHA_384
check "get-public-key" '"KeySpec": "ECC_NIST_P384"' aws kms get-public-key --key-id "$signer"

echo "S3"
check "s3 ls (ListBuckets)" "$IpsecMesh__Bucket" aws s3 ls
check "s3api create-bucket" "conformance-bucket" aws s3api create-bucket --bucket conformance-bucket
printf 'hello, range' >"$work/small"
check "put-object" '"ETag"' aws s3api put-object --bucket conformance-bucket --key 'dir/pct%41key' --body "$work/small"
check "list-objects-v2 keeps a literal %41" 'dir/pct%41key' aws s3api list-objects-v2 --bucket conformance-bucket --prefix dir/ --query 'Contents[].Key'
check "list-objects-v2 --delimiter" '"Prefix": "dir/"' aws s3api list-objects-v2 --bucket conformance-bucket --delimiter /
check "head-object" '"ContentLength": 12' aws s3api head-object --bucket conformance-bucket --key 'dir/pct%41key'
check "get-object --range answers the range" '"ContentRange": "bytes 7-11/12"' aws s3api get-object --bucket conformance-bucket --key 'dir/pct%41key' --range bytes=7-11 "$work/range"
[ "$(cat "$work/range")" = "range" ] && ok "get-object --range body" || bad "get-object --range body" "$(cat "$work/range")"
head -c 9000000 /dev/urandom >"$work/large"
check "s3 cp of a 9 MB file (multipart upload: 8 MB threshold)" "upload:" aws s3 cp "$work/large" s3://conformance-bucket/large
check "s3 cp back (ranged multipart download)" "download:" aws s3 cp s3://conformance-bucket/large "$work/large.back"
cmp -s "$work/large" "$work/large.back" && ok "the large object round-trips intact" || bad "large object differs"
check "head-object of the multipart object has a -N ETag" '-[0-9]+\\"' aws s3api head-object --bucket conformance-bucket --key large --query ETag
check "delete-object" "^$" aws s3api delete-object --bucket conformance-bucket --key large
fails "get-object of a missing key is NoSuchKey" "NoSuchKey" aws s3api get-object --bucket conformance-bucket --key large "$work/none"
fails "a missing bucket is NoSuchBucket" "NoSuchBucket" aws s3api list-objects-v2 --bucket no-such-bucket

echo "SQS"
check "get-queue-url" "$IpsecMesh__QueueUrl" aws sqs get-queue-url --queue-name ipsec-mesh-events
fails "get-queue-url of a missing queue is AWS.SimpleQueueService.NonExistentQueue" "AWS.SimpleQueueService.NonExistentQueue" aws sqs get-queue-url --queue-name nope
check "list-queues" "${AWS_ENDPOINT_URL}/[0-9]+/ipsec-mesh-events-dlq" aws sqs list-queues
q=$(aws sqs create-queue --queue-name conformance --attributes VisibilityTimeout=5 --query QueueUrl --output text)
[[ $q == "$AWS_ENDPOINT_URL"/* ]] && ok "create-queue answers a URL on the simulator's endpoint" || bad "create-queue" "$q"
check "get-queue-attributes" '"VisibilityTimeout": "5"' aws sqs get-queue-attributes --queue-url "$q" --attribute-names All
check "send-message with attributes" '"MD5OfMessageAttributes"' aws sqs send-message --queue-url "$q" --message-body one \
  --message-attributes '{"keep":{"DataType":"String","StringValue":"k"},"drop":{"DataType":"String","StringValue":"d"}}'
check "send-message-batch" '"Id": "b"' aws sqs send-message-batch --queue-url "$q" --entries Id=a,MessageBody=two Id=b,MessageBody=three
received=$(aws sqs receive-message --queue-url "$q" --max-number-of-messages 1 --message-attribute-names keep --attribute-names All 2>&1)
if grep -q '"keep"' <<<"$received" && ! grep -q '"drop"' <<<"$received"; then ok "receive-message returns only the attributes asked for"; else bad "receive-message --message-attribute-names" "$received"; fi
handle=$(jq -r '.Messages[0].ReceiptHandle' <<<"$received")
check "change-message-visibility" "^$" aws sqs change-message-visibility --queue-url "$q" --receipt-handle "$handle" --visibility-timeout 0
check "delete-message" "^$" aws sqs delete-message --queue-url "$q" --receipt-handle "$handle"
batch=$(aws sqs receive-message --queue-url "$q" --max-number-of-messages 10 --wait-time-seconds 1 --query 'Messages[].ReceiptHandle' --output text)
entries=()
n=0
for h in $batch; do n=$((n + 1)); entries+=("Id=m$n,ReceiptHandle=$h"); done
check "delete-message-batch" '"Successful"' aws sqs delete-message-batch --queue-url "$q" --entries "${entries[@]}"
check "purge-queue" "^$" aws sqs purge-queue --queue-url "$q"
check "the events queue got the tag change of create-tags (EventBridge rule)" "Tag Change on Resource" \
  aws sqs receive-message --queue-url "$IpsecMesh__QueueUrl" --max-number-of-messages 10 --query 'Messages[].Body'

echo "operator verbs"
check "ipsec-mesh ca show" "CN=ipsec-mesh CA" dotnet "$dll" ca show
check "ipsec-mesh ca init --if-missing on an existing CA exits 0" "nothing to do" dotnet "$dll" ca init --if-missing
# Without --if-missing: the refusal in one sentence and exit 1, never an unhandled exception (exit 134).
if out=$(dotnet "$dll" ca init 2>&1); then rc=0; else rc=$?; fi
if [ "$rc" = 1 ] && grep -q "a mesh CA already exists" <<<"$out"; then ok "ipsec-mesh ca init on an existing CA says so and exits 1"
else bad "ipsec-mesh ca init on an existing CA says so and exits 1 (exit $rc)" "$out"; fi
check "ipsec-mesh status --json" "\"instanceId\": \"$i1\"" dotnet "$dll" status --json

wait "$init_pid"
cat "$work/init.out"
read -r init_passed init_failed <"$work/init.counts" || { init_passed=0; init_failed=1; }
passed=$((passed + init_passed))
failed=$((failed + init_failed))
echo
echo "conformance took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
